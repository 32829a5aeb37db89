import path from "node:path";
import { z } from "zod";
import { DEFAULT_POOL_SIZE } from "./db/postgres";
import { trustProxyEntryError } from "./http/client-address";
import type { S3Settings } from "./images/s3-blob-store";

// An empty variable (PORT=) means "not set", not zero.
const unsetIfEmpty = (v: unknown) => (v === "" ? undefined : v);

const envSchema = z.object({
  PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65535).default(8080)),
  HOST: z.string().default("0.0.0.0"),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine(
        (v) => /^postgres(ql)?:\/\//i.test(v) && URL.canParse(v),
        "must be a postgres:// or postgresql:// address, such as postgres://letterbox@db.council.internal/letterbox; leave it unset to keep the database in DATA_DIR",
      )
      .optional(),
  ),
  DATABASE_POOL_SIZE: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(1000).default(DEFAULT_POOL_SIZE)),
  PUBLIC_URL: z.preprocess(unsetIfEmpty, z.url().optional()),
  COUNCIL_NAME: z.string().default("your council"),
  LOG_LEVEL: z.enum(["info", "silent"]).default("info"),
  VAPID_SUBJECT: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, "must be a mailto: address or an https:// address")
      .optional(),
  ),
  TRUST_PROXY: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((v) => v.split(",").map((entry) => entry.trim()))
      .superRefine((entries, ctx) => {
        for (const entry of entries) {
          const error = trustProxyEntryError(entry);
          if (error) {
            ctx.addIssue({
              code: "custom",
              message: `${error}; give the reverse proxies' addresses or ranges, separated by commas (for example 10.0.0.5,192.168.10.0/24,fd00::/8)`,
            });
          }
        }
      })
      .default([]),
  ),
  HTTPS_PROXY: z.preprocess(unsetIfEmpty, z.string().optional()),
  https_proxy: z.preprocess(unsetIfEmpty, z.string().optional()),
  NO_PROXY: z.preprocess(unsetIfEmpty, z.string().optional()),
  no_proxy: z.preprocess(unsetIfEmpty, z.string().optional()),
  PUSH_SERVICE_HOSTS: z.preprocess(unsetIfEmpty, z.string().optional()),
  // Whole hours from 1 to a week: a session that outlives a working day is a session left open.
  STAFF_SESSION_HOURS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(168).default(12)),
  // Long enough not to be guessed; an operator makes one with openssl rand -hex 32.
  METRICS_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\S{16,}$/, "must be at least 16 characters without spaces; make one with openssl rand -hex 32")
      .optional(),
  ),
  // Photos in an S3-compatible bucket instead of the data folder; see s3Settings below.
  S3_BUCKET: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/,
        "must be the bucket's name alone, 3 or more letters, digits, dots and dashes, such as letterbox-photos",
      )
      .optional(),
  ),
  S3_ENDPOINT: z.preprocess(
    unsetIfEmpty,
    z
      .url({
        protocol: /^https?$/,
        error: "must be the object store's http:// or https:// address, such as http://127.0.0.1:9000",
      })
      .optional(),
  ),
  S3_REGION: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "must be a region name, such as eu-west-2")
      .optional(),
  ),
  AWS_REGION: z.preprocess(unsetIfEmpty, z.string().optional()),
  S3_FORCE_PATH_STYLE: z.preprocess(unsetIfEmpty, z.enum(["true", "false"], { error: "must be true or false" }).optional()),
  S3_PREFIX: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((v) => v.replace(/^\/+|\/+$/g, ""))
      .pipe(
        z
          .string()
          .regex(
            /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/,
            "must be folder names of letters, digits, dots, dashes and underscores separated by /, such as north-council/photos",
          )
          .max(200, "must be at most 200 characters"),
      )
      .optional(),
  ),
});

export type Config = {
  port: number;
  host: string;
  /** Photos, and the SQLite database unless `database` says PostgreSQL. */
  dataDir: string;
  /**
   * Where the relay keeps its records: by default the SQLite file in the data folder; with
   * DATABASE_URL, a PostgreSQL database, through at most `poolSize` connections.
   */
  database: DatabaseConfig;
  publicUrl: string;
  councilName: string;
  logLevel: "info" | "silent";
  /** Cookies get `Secure` only when the public address is https, so plain localhost still works. */
  secureCookies: boolean;
  /**
   * The VAPID `sub`: whom a push service contacts about this relay's pushes. Defaults to the public
   * address when that is a real https site; Apple's push service refuses placeholders such as
   * `mailto:…@localhost`, which is the fallback for a relay on plain http.
   */
  vapidSubject: string;
  /**
   * The council's reverse proxies (addresses and CIDR ranges). Only on requests from these is the
   * client address in X-Forwarded-For believed; by default none is, and the TCP peer counts.
   */
  trustProxy: string[];
  /**
   * Push service hosts a subscription may name besides the browsers' own (PUSH_SERVICE_HOSTS: a
   * self-hosted Mozilla autopush, say). Exact host names, lower case.
   */
  pushServiceHosts: string[];
  /** The egress proxy pushes leave through (HTTPS_PROXY), and the hosts reached without it (NO_PROXY). */
  pushProxy?: { url: string; noProxy: string[] };
  /** A staff session ends this many hours after sign-in, however much it is used. */
  staffSessionHours: number;
  /** /metrics is served, to requests bearing this token, only when METRICS_TOKEN is set. */
  metricsToken?: string;
  /** Photos go to this bucket when S3_BUCKET is set; otherwise to the data folder. */
  s3?: S3Settings;
};

export type DatabaseConfig = { engine: "sqlite" } | { engine: "postgres"; url: string; poolSize: number };

export class ConfigError extends Error {}

/** Works with Chrome's and Firefox's push services, not Apple's: set VAPID_SUBJECT in production. */
export const PLACEHOLDER_VAPID_SUBJECT = "mailto:letterbox@localhost";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Letterbox cannot start: the environment has errors:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const pushServiceHosts = listOf(e.PUSH_SERVICE_HOSTS).map((host) => host.toLowerCase());
  for (const host of pushServiceHosts) {
    if (!isHostName(host)) {
      problems.push(
        `  PUSH_SERVICE_HOSTS: “${host}” is not a host name; list names such as push.example.org, without https:// or a port, separated by commas`,
      );
    }
  }
  // "proxy:3128" means http://proxy:3128, as curl and most tools read it.
  const proxyValue = e.HTTPS_PROXY ?? e.https_proxy;
  const proxy = proxyValue !== undefined && !proxyValue.includes("://") ? `http://${proxyValue}` : proxyValue;
  if (proxy !== undefined && !isProxyUrl(proxy)) {
    problems.push("  HTTPS_PROXY: must be the proxy's http:// or https:// address, such as http://proxy.council.internal:3128");
  }
  if (e.S3_BUCKET === undefined) {
    for (const name of ["S3_ENDPOINT", "S3_REGION", "S3_FORCE_PATH_STYLE", "S3_PREFIX"] as const) {
      if (e[name] !== undefined) {
        problems.push(
          `  ${name}: is set but S3_BUCKET is not; set S3_BUCKET to the bucket that holds the photos, or remove ${name} to keep photos in the data folder`,
        );
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`Letterbox cannot start: the environment has errors:\n${problems.join("\n")}`);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  return {
    port: e.PORT,
    host: e.HOST,
    // pnpm runs scripts inside the package folder; a relative DATA_DIR means the folder the
    // command was typed in (INIT_CWD), so `pnpm start` at the top keeps data in ./data there.
    dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), e.DATA_DIR),
    database:
      e.DATABASE_URL === undefined
        ? { engine: "sqlite" }
        : { engine: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    publicUrl,
    councilName: e.COUNCIL_NAME,
    logLevel: e.LOG_LEVEL,
    secureCookies: publicUrl.startsWith("https://"),
    vapidSubject:
      e.VAPID_SUBJECT ??
      (/^https:\/\/(?!localhost[:/]|localhost$|127\.)/.test(publicUrl) ? publicUrl : PLACEHOLDER_VAPID_SUBJECT),
    trustProxy: e.TRUST_PROXY,
    pushServiceHosts,
    ...(proxy !== undefined && {
      pushProxy: { url: proxy, noProxy: listOf(e.NO_PROXY ?? e.no_proxy).map((entry) => entry.toLowerCase()) },
    }),
    staffSessionHours: e.STAFF_SESSION_HOURS,
    ...(e.METRICS_TOKEN !== undefined && { metricsToken: e.METRICS_TOKEN }),
    ...(e.S3_BUCKET !== undefined && {
      s3: {
        bucket: e.S3_BUCKET,
        prefix: e.S3_PREFIX ?? "",
        // MinIO and Ceph take any region and most are set up with us-east-1, as is the SDK's
        // own fallback; an AWS bucket elsewhere needs its region, which the start check says.
        region: e.S3_REGION ?? e.AWS_REGION ?? "us-east-1",
        ...(e.S3_ENDPOINT !== undefined && { endpoint: e.S3_ENDPOINT.replace(/\/+$/, "") }),
        forcePathStyle: e.S3_FORCE_PATH_STYLE === "true",
      },
    }),
  };
}

const listOf = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

/**
 * A DNS name of at least two labels whose last label is not all digits: no IP address (the
 * allow-list exists to keep the relay from posting into the council's own network), no
 * "localhost", no scheme, port or path.
 */
function isHostName(host: string): boolean {
  return host.length <= 253 && /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(host);
}

function isProxyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === "http:" || url.protocol === "https:") &&
      url.hostname !== "" &&
      (url.pathname === "/" || url.pathname === "")
    );
  } catch {
    return false;
  }
}
