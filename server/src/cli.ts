import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { staffSetupRequestSchema } from "@letterbox/shared";
import { createServices } from "./app";
import { systemClock } from "./clock";
import { ConfigError, loadConfig } from "./config";
import { openDataFolder } from "./data-folder";
import { AppError } from "./errors";
import { describeIssues } from "./http/validate";
import { jsonLogger } from "./log";

const USAGE = `Usage: pnpm letterbox staff:create --name "Priya Shah" --email priya@council.example
  The password is read from the terminal (or from standard input when piped).`;

/** Operations for whoever runs the relay, against the same data folder and environment as `pnpm start`. */
async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command !== "staff:create") {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === "--help" ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: { name: { type: "string" }, email: { type: "string" } } });
  const password = await readPassword();
  // The same rules as the set-up page; the token is not used here.
  const parsed = staffSetupRequestSchema.omit({ token: true }).safeParse({ name: values.name, email: values.email, password });
  if (!parsed.success) {
    process.stderr.write(`${describeIssues(parsed.error)}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const { db, store, photos } = await openDataFolder(config.dataDir);
  try {
    const deps = {
      store,
      photos,
      clock: systemClock,
      log: jsonLogger((l) => process.stderr.write(`${l}\n`)),
      ...config,
    };
    const staff = await createServices(deps).staff.createStaff(parsed.data);
    process.stdout.write(`Created staff account for ${staff.name} <${staff.email}>. Sign in at ${config.publicUrl}/staff\n`);
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await db.destroy();
  }
}

async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    return await rl.question(process.stdin.isTTY ? "Password (at least 12 characters): " : "");
  } finally {
    rl.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err?.stack ?? String(err))}\n`);
    process.exit(1);
  },
);
