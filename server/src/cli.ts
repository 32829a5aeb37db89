import path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { staffSetupRequestSchema } from "@letterbox/shared";
import { createServices } from "./app";
import { systemClock } from "./clock";
import { ConfigError, loadConfig } from "./config";
import { openDataFolder } from "./data-folder";
import { BackupError, backupDatabase, restoreDatabase } from "./db/backup";
import { AppError } from "./errors";
import { describeIssues } from "./http/validate";
import { blobStoreFor } from "./images/photo-storage";
import { jsonLogger } from "./log";

const USAGE = `Usage:
  pnpm letterbox staff:create --name "Priya Shah" --email priya@council.example
    The password is read from the terminal (or from standard input when piped).
  pnpm letterbox backup <file>
    Copies the database to <file>; the relay may be running. Copy photos/ after it.
  pnpm letterbox restore <file>
    Makes <file> the database (stop the relay first); the one it replaces is kept beside it.`;

/** Operations for whoever runs the relay, against the same data folder and environment as `pnpm start`. */
async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === "staff:create") return createStaff(rest);
  if ((command === "backup" || command === "restore") && rest.length === 1 && rest[0]) {
    return command === "backup" ? backup(rest[0]) : restore(rest[0]);
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === "--help" ? 0 : 2;
}

/** pnpm runs the script in server/: a relative file name means the folder the command was typed in. */
const typedPath = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);

/** Backup and restore copy the SQLite file; PostgreSQL has its own tools for that. */
function refusedForPostgres(config: ReturnType<typeof loadConfig>) {
  if (config.database.engine === "sqlite") return false;
  process.stderr.write(
    "DATABASE_URL is set, so the records are in PostgreSQL: back them up with pg_dump and restore them with pg_restore. Photos are still files in DATA_DIR/photos.\n",
  );
  return true;
}

async function backup(file: string) {
  const config = loadConfig();
  if (refusedForPostgres(config)) return 2;
  const { file: written } = await backupDatabase(config.dataDir, typedPath(file));
  process.stdout.write(
    `Backed up the database to ${written}.\nNow copy ${path.join(config.dataDir, "photos")} too (photos are kept as files).\n`,
  );
  return 0;
}

async function restore(file: string) {
  const config = loadConfig();
  if (refusedForPostgres(config)) return 2;
  const { previous } = await restoreDatabase(config.dataDir, typedPath(file));
  const lines = [
    `Restored the database from ${typedPath(file)}.`,
    previous ? `The database it replaced is kept as ${previous}.` : "",
    `Put the photos back in ${path.join(config.dataDir, "photos")} from the same backup, then start the relay.`,
    "Tablets read their residents' messages again from the start when they next connect; they keep what they have.",
  ];
  process.stdout.write(`${lines.filter(Boolean).join("\n")}\n`);
  return 0;
}

async function createStaff(rest: string[]) {
  const { values } = parseArgs({ args: rest, options: { name: { type: "string" }, email: { type: "string" } } });
  const password = await readPassword();
  // The same rules as the set-up page; the token is not used here.
  const parsed = staffSetupRequestSchema.omit({ token: true }).safeParse({ name: values.name, email: values.email, password });
  if (!parsed.success) {
    process.stderr.write(`${describeIssues(parsed.error)}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const { db, store, photos } = await openDataFolder(config.dataDir, {
    database: config.database,
    blobs: await blobStoreFor(config),
  });
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
    // Refusals the operator can act on are a sentence; anything else is a bug, with its stack.
    const refusal = err instanceof ConfigError || err instanceof BackupError || err instanceof AppError;
    process.stderr.write(`${refusal ? err.message : (err?.stack ?? String(err))}\n`);
    process.exit(1);
  },
);
