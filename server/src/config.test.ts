import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("loadConfig", () => {
  it("has defaults that run on one machine with nothing set", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: "0.0.0.0",
      dataDir: path.resolve("data"),
      publicUrl: "http://localhost:8080",
      councilName: "your council",
      logLevel: "info",
      secureCookies: false,
      vapidSubject: "mailto:letterbox@localhost",
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
});
