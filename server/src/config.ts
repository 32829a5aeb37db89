import path from "node:path";
import { z } from "zod";

// An empty variable (PORT=) means "not set", not zero.
const unsetIfEmpty = (v: unknown) => (v === "" ? undefined : v);

const envSchema = z.object({
  PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65535).default(8080)),
  HOST: z.string().default("0.0.0.0"),
  DATA_DIR: z.string().default("./data"),
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
  // Whole hours from 1 to a week: a session that outlives a working day is a session left open.
  STAFF_SESSION_HOURS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(168).default(12)),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
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
  /** A staff session ends this many hours after sign-in, however much it is used. */
  staffSessionHours: number;
};

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
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  return {
    port: e.PORT,
    host: e.HOST,
    // pnpm runs scripts inside the package folder; a relative DATA_DIR means the folder the
    // command was typed in (INIT_CWD), so `pnpm start` at the top keeps data in ./data there.
    dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), e.DATA_DIR),
    publicUrl,
    councilName: e.COUNCIL_NAME,
    logLevel: e.LOG_LEVEL,
    secureCookies: publicUrl.startsWith("https://"),
    vapidSubject:
      e.VAPID_SUBJECT ??
      (/^https:\/\/(?!localhost[:/]|localhost$|127\.)/.test(publicUrl) ? publicUrl : PLACEHOLDER_VAPID_SUBJECT),
    staffSessionHours: e.STAFF_SESSION_HOURS,
  };
}
