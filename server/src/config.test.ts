import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("loadConfig", () => {
  it("has defaults that run on one machine with nothing set", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: "0.0.0.0",
      dataDir: path.resolve("data"),
      database: { engine: "sqlite" },
      publicUrl: "http://localhost:8080",
      councilName: "your council",
      logLevel: "info",
      secureCookies: false,
      vapidSubject: "mailto:letterbox@localhost",
      trustProxy: [],
      pushServiceHosts: [],
      staffSessionHours: 12,
    });
    expect(path.isAbsolute(loadConfig({}).dataDir)).toBe(true);
  });

  it("treats an empty variable as not set", () => {
    expect(loadConfig({ PORT: "", PUBLIC_URL: "" })).toMatchObject({ port: 8080, publicUrl: "http://localhost:8080" });
  });

  it("derives the public address from PORT when PUBLIC_URL is not set", () => {
    expect(loadConfig({ PORT: "3000" })).toMatchObject({ port: 3000, publicUrl: "http://localhost:3000" });
  });

  it("resolves a relative DATA_DIR against the folder the command was typed in", () => {
    expect(loadConfig({ DATA_DIR: "var/letterbox" }).dataDir).toBe(path.join(process.cwd(), "var", "letterbox"));
    // pnpm runs scripts in the package folder but says where the command was typed in INIT_CWD.
    expect(loadConfig({ DATA_DIR: "data", INIT_CWD: "/home/council" }).dataDir).toBe("/home/council/data");
    expect(loadConfig({ DATA_DIR: "/srv/letterbox", INIT_CWD: "/home/council" }).dataDir).toBe("/srv/letterbox");
  });

  it("drops a trailing slash from PUBLIC_URL and makes cookies Secure only for https", () => {
    expect(loadConfig({ PUBLIC_URL: "https://letterbox.example.org/" })).toMatchObject({
      publicUrl: "https://letterbox.example.org",
      secureCookies: true,
    });
    expect(loadConfig({ PUBLIC_URL: "http://letterbox.internal:8080" }).secureCookies).toBe(false);
  });

  it("takes the VAPID subject from VAPID_SUBJECT, else from an https public address, else a placeholder", () => {
    expect(loadConfig({ VAPID_SUBJECT: "mailto:digital@council.example" }).vapidSubject).toBe("mailto:digital@council.example");
    expect(loadConfig({ VAPID_SUBJECT: "https://council.example/letterbox" }).vapidSubject).toBe(
      "https://council.example/letterbox",
    );
    expect(loadConfig({ PUBLIC_URL: "https://letterbox.council.example/" }).vapidSubject).toBe(
      "https://letterbox.council.example",
    );
    // Push services refuse a contact at localhost, so it is never derived from one.
    expect(loadConfig({ PUBLIC_URL: "https://localhost:8443" }).vapidSubject).toBe("mailto:letterbox@localhost");
    expect(loadConfig({ PUBLIC_URL: "http://letterbox.internal" }).vapidSubject).toBe("mailto:letterbox@localhost");
    expect(loadConfig({ VAPID_SUBJECT: "" }).vapidSubject).toBe("mailto:letterbox@localhost");
  });

  it.each([["letterbox@council.example"], ["http://council.example"], ["mailto:nobody"]])(
    "refuses VAPID_SUBJECT=%s",
    (subject) => {
      expect(() => loadConfig({ VAPID_SUBJECT: subject })).toThrow(
        /\n {2}VAPID_SUBJECT: must be a mailto: address or an https:\/\/ address$/,
      );
    },
  );

  it.each([["abc"], ["70000"], ["-1"], ["80.5"]])("refuses PORT=%s with a message that names it", (port) => {
    const load = () => loadConfig({ PORT: port });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^Letterbox cannot start: the environment has errors:\n {2}PORT: /);
  });

  it("takes TRUST_PROXY as a list of IPv4 and IPv6 addresses and CIDR ranges", () => {
    expect(loadConfig({ TRUST_PROXY: "10.0.0.5, 192.168.10.0/24,::1,fd00::/8" }).trustProxy).toEqual([
      "10.0.0.5",
      "192.168.10.0/24",
      "::1",
      "fd00::/8",
    ]);
    expect(loadConfig({ TRUST_PROXY: "" }).trustProxy).toEqual([]);
  });

  it.each([["10.0.0.300"], ["10.0.0.0/33"], ["proxy.council.example"], ["10.0.0.5,,10.0.0.6"], ["loopback"], ["fd00::/129"]])(
    "refuses TRUST_PROXY=%s with a message that names it and says what to give",
    (value) => {
      const load = () => loadConfig({ TRUST_PROXY: value });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(
        /\n {2}TRUST_PROXY: ".*" is not an IP address or CIDR range; give the reverse proxies' addresses or ranges, separated by commas \(for example 10\.0\.0\.5,192\.168\.10\.0\/24,fd00::\/8\)$/,
      );
    },
  );

  it("serves metrics only when METRICS_TOKEN is set, to a token too long to guess", () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: "" }).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: "0123456789abcdef" }).metricsToken).toBe("0123456789abcdef");
    for (const token of ["short", "0123456789 abcdef"]) {
      expect(() => loadConfig({ METRICS_TOKEN: token })).toThrow(/\n {2}METRICS_TOKEN: must be at least 16 characters/);
    }
  });

  it("takes how long a staff session may last from STAFF_SESSION_HOURS, in whole hours up to a week", () => {
    expect(loadConfig({ STAFF_SESSION_HOURS: "8" }).staffSessionHours).toBe(8);
    expect(loadConfig({ STAFF_SESSION_HOURS: "" }).staffSessionHours).toBe(12);
    for (const hours of ["0", "1.5", "169", "ever"]) {
      expect(() => loadConfig({ STAFF_SESSION_HOURS: hours })).toThrow(/\n {2}STAFF_SESSION_HOURS: /);
    }
  });

  it("lists every bad setting at once", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "abc", PUBLIC_URL: "not a url", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split("\n").slice(1);
    expect(lines.map((l) => l.trim().split(":")[0])).toEqual(["PORT", "PUBLIC_URL", "LOG_LEVEL"]);
  });

  it("adds the push service hosts a council lists, as exact lower-case host names", () => {
    expect(loadConfig({ PUSH_SERVICE_HOSTS: " autopush.council.gov.uk, Push.Example.ORG ," }).pushServiceHosts).toEqual([
      "autopush.council.gov.uk",
      "push.example.org",
    ]);
  });

  it.each([
    ["an address with a scheme", "https://push.example.org"],
    ["a port", "push.example.org:8443"],
    ["a path", "push.example.org/wpush"],
    ["an IPv4 address", "10.0.0.5"],
    ["an IPv6 address", "[fd00::1]"],
    ["a single-label name", "localhost"],
    ["a wildcard", "*.example.org"],
  ])("refuses a push service host that is %s, naming it", (_what, host) => {
    expect(() => loadConfig({ PUSH_SERVICE_HOSTS: `push.example.org,${host}` })).toThrow(
      new ConfigError(
        `Letterbox cannot start: the environment has errors:\n  PUSH_SERVICE_HOSTS: “${host.toLowerCase()}” is not a host name; list names such as push.example.org, without https:// or a port, separated by commas`,
      ),
    );
  });

  it("takes the egress proxy from HTTPS_PROXY (or https_proxy) and the hosts that bypass it from NO_PROXY", () => {
    expect(loadConfig({}).pushProxy).toBeUndefined();
    expect(
      loadConfig({ HTTPS_PROXY: "http://proxy.council.internal:3128", NO_PROXY: "Intranet.Council.gov.uk, .local" }),
    ).toMatchObject({
      pushProxy: { url: "http://proxy.council.internal:3128", noProxy: ["intranet.council.gov.uk", ".local"] },
    });
    expect(loadConfig({ https_proxy: "http://user:secret@10.1.2.3:8080", no_proxy: "*" }).pushProxy).toEqual({
      url: "http://user:secret@10.1.2.3:8080",
      noProxy: ["*"],
    });
    expect(loadConfig({ HTTPS_PROXY: "proxy.council.internal:3128" }).pushProxy?.url).toBe("http://proxy.council.internal:3128");
    for (const bad of ["socks5://proxy:1080", "http://proxy:3128/path", "http://"]) {
      expect(() => loadConfig({ HTTPS_PROXY: bad })).toThrow(/HTTPS_PROXY: must be the proxy's http:\/\/ or https:\/\/ address/);
    }
  });

  it("keeps the database in DATA_DIR unless DATABASE_URL names a PostgreSQL one, with a pool of DATABASE_POOL_SIZE connections", () => {
    expect(loadConfig({ DATABASE_URL: "" }).database).toEqual({ engine: "sqlite" });
    expect(loadConfig({ DATABASE_URL: "postgres://letterbox:s3cret@db.council.internal:5432/letterbox" }).database).toEqual({
      engine: "postgres",
      url: "postgres://letterbox:s3cret@db.council.internal:5432/letterbox",
      poolSize: 10,
    });
    expect(loadConfig({ DATABASE_URL: "postgresql://db/letterbox?sslmode=require", DATABASE_POOL_SIZE: "25" }).database).toEqual({
      engine: "postgres",
      url: "postgresql://db/letterbox?sslmode=require",
      poolSize: 25,
    });
    expect(loadConfig({ DATABASE_URL: "postgres://db/letterbox", DATABASE_POOL_SIZE: "" }).database).toMatchObject({
      poolSize: 10,
    });
  });

  it.each([["mysql://db/letterbox"], ["sqlite:///srv/letterbox.sqlite"], ["db.council.internal"], ["postgres://[::1/x"]])(
    "refuses DATABASE_URL=%s, saying what to give, without repeating the address",
    (url) => {
      expect(() => loadConfig({ DATABASE_URL: url })).toThrow(
        new ConfigError(
          "Letterbox cannot start: the environment has errors:\n  DATABASE_URL: must be a postgres:// or postgresql:// address, such as postgres://letterbox@db.council.internal/letterbox; leave it unset to keep the database in DATA_DIR",
        ),
      );
    },
  );

  it.each([["0"], ["-1"], ["2.5"], ["many"], ["1001"]])("refuses DATABASE_POOL_SIZE=%s", (size) => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://db/letterbox", DATABASE_POOL_SIZE: size })).toThrow(
      /^Letterbox cannot start: the environment has errors:\n {2}DATABASE_POOL_SIZE: /,
    );
  });
});

describe("loadConfig for photos in S3", () => {
  const errors = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message.split("\n");
    }
    throw new Error("loadConfig accepted it");
  };

  it("keeps photos in the data folder unless S3_BUCKET is set", () => {
    expect(loadConfig({}).s3).toBeUndefined();
    expect(loadConfig({ S3_BUCKET: "" }).s3).toBeUndefined();
  });

  it("takes the bucket alone with AWS's defaults: us-east-1 (or AWS_REGION), virtual-hosted style, no prefix", () => {
    expect(loadConfig({ S3_BUCKET: "letterbox-photos" }).s3).toEqual({
      bucket: "letterbox-photos",
      prefix: "",
      region: "us-east-1",
      forcePathStyle: false,
    });
    expect(loadConfig({ S3_BUCKET: "letterbox-photos", AWS_REGION: "eu-west-2" }).s3?.region).toBe("eu-west-2");
    expect(loadConfig({ S3_BUCKET: "letterbox-photos", AWS_REGION: "eu-west-2", S3_REGION: "eu-north-1" }).s3?.region).toBe(
      "eu-north-1",
    );
  });

  it("takes a self-hosted server's address, path style and a prefix, without slashes at the ends", () => {
    expect(
      loadConfig({
        S3_BUCKET: "photos",
        S3_ENDPOINT: "http://127.0.0.1:9000/",
        S3_FORCE_PATH_STYLE: "true",
        S3_PREFIX: "/north-council/photos/",
        S3_REGION: "garage",
      }).s3,
    ).toEqual({
      bucket: "photos",
      prefix: "north-council/photos",
      region: "garage",
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
    });
    expect(loadConfig({ S3_BUCKET: "photos", S3_FORCE_PATH_STYLE: "false" }).s3?.forcePathStyle).toBe(false);
  });

  it.each(["S3_ENDPOINT", "S3_REGION", "S3_FORCE_PATH_STYLE", "S3_PREFIX"])(
    "refuses %s without S3_BUCKET, in a sentence",
    (name) => {
      const value = {
        S3_ENDPOINT: "http://127.0.0.1:9000",
        S3_REGION: "eu-west-2",
        S3_FORCE_PATH_STYLE: "true",
        S3_PREFIX: "north",
      }[name];
      expect(errors({ [name]: value })).toEqual([
        "Letterbox cannot start: the environment has errors:",
        `  ${name}: is set but S3_BUCKET is not; set S3_BUCKET to the bucket that holds the photos, or remove ${name} to keep photos in the data folder`,
      ]);
    },
  );

  it.each([
    [
      "S3_BUCKET",
      "s3://letterbox-photos",
      "must be the bucket's name alone, 3 or more letters, digits, dots and dashes, such as letterbox-photos",
    ],
    [
      "S3_BUCKET",
      "letterbox/photos",
      "must be the bucket's name alone, 3 or more letters, digits, dots and dashes, such as letterbox-photos",
    ],
    ["S3_ENDPOINT", "127.0.0.1:9000", "must be the object store's http:// or https:// address, such as http://127.0.0.1:9000"],
    [
      "S3_ENDPOINT",
      "ftp://files.council.internal",
      "must be the object store's http:// or https:// address, such as http://127.0.0.1:9000",
    ],
    ["S3_REGION", "eu west 2", "must be a region name, such as eu-west-2"],
    ["S3_FORCE_PATH_STYLE", "yes", "must be true or false"],
    [
      "S3_PREFIX",
      "north/../south",
      "must be folder names of letters, digits, dots, dashes and underscores separated by /, such as north-council/photos",
    ],
    [
      "S3_PREFIX",
      "north//photos",
      "must be folder names of letters, digits, dots, dashes and underscores separated by /, such as north-council/photos",
    ],
    [
      "S3_PREFIX",
      "north council",
      "must be folder names of letters, digits, dots, dashes and underscores separated by /, such as north-council/photos",
    ],
  ])("refuses %s=%s, saying what to give", (name, value, message) => {
    expect(errors({ S3_BUCKET: "letterbox-photos", [name]: value })).toEqual([
      "Letterbox cannot start: the environment has errors:",
      `  ${name}: ${message}`,
    ]);
  });
});
