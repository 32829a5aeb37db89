import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { staffSetupRequestSchema } from "@letterbox/shared";
import { createServices } from "./app";
import { systemClock } from "./clock";
import { ConfigError, loadConfig } from "./config";
import { openDataFolder } from "./data-folder";
import {
  BackupError,
  backupPhotosToFolder,
  backupToFolder,
  restoreDatabase,
  restoreFromFolder,
  restorePhotosFromFolder,
} from "./db/backup";
import { copyToPostgres, describeMigration, MigrateError } from "./db/copy-to-postgres";
import { openPostgres } from "./db/postgres";
import { AppError } from "./errors";
import { describeIssues } from "./http/validate";
import { blobStoreFor, photoLocation } from "./images/photo-storage";
import { PhotoStore } from "./images/photo-store";
import { S3BlobStore } from "./images/s3-blob-store";
import { jsonLogger } from "./log";

const USAGE = `Usage:
  pnpm letterbox staff:create --name "Priya Shah" --email priya@council.example
    The password is read from the terminal (or from standard input when piped).
  pnpm letterbox backup <folder>
    Makes <folder> (new or empty): the database, its photos and manifest.json with their SHA-256.
    The relay may be running.
  pnpm letterbox restore <folder>
    Checks the backup against its manifest, then restores it into DATA_DIR, which must be empty
    (or missing). A single database file from an older backup is restored as before.
    With DATABASE_URL set, backup and restore take the photos only: the records go with pg_dump.
  pnpm letterbox migrate [--to postgres://user@host/database]
    Copies the data folder's database into an empty PostgreSQL database (default DATABASE_URL),
    and its photos into the S3 bucket when S3_BUCKET is set. Stop the relay first.`;

/** Operations for whoever runs the relay, against the same data folder and environment as `pnpm start`. */
async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === "staff:create") return createStaff(rest);
  if (command === "migrate") return migrate(rest);
  if ((command === "backup" || command === "restore") && rest.length === 1 && rest[0]) {
    return command === "backup" ? backup(rest[0]) : restore(rest[0]);
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === "--help" ? 0 : 2;
}

/** pnpm runs the script in server/: a relative file name means the folder the command was typed in. */
const typedPath = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);

const PG_RECORDS =
  "DATABASE_URL is set, so the records are in PostgreSQL: back them up with pg_dump (before this command) and restore them with pg_restore.";
const NEW_LOG_IDENTITY =
  "After pg_restore, give the log a new identity so that every tablet reads its messages again: UPDATE log_identity SET log_id = gen_random_uuid()::text;";

async function withPhotoStore<T>(config: ReturnType<typeof loadConfig>, use: (photos: PhotoStore) => Promise<T>): Promise<T> {
  const blobs = await blobStoreFor(config);
  try {
    return await use(new PhotoStore(blobs));
  } finally {
    if (blobs instanceof S3BlobStore) blobs.client.destroy();
  }
}

async function backup(folder: string) {
  const config = loadConfig();
  const target = typedPath(folder);
  const { database } = config;
  const manifest = await withPhotoStore(config, async (photos) => {
    if (database.engine === "sqlite") return backupToFolder({ dataDir: config.dataDir, target, photos });
    const db = openPostgres(database.url, { poolSize: 1, log: jsonLogger((l) => process.stderr.write(`${l}\n`)) });
    try {
      return await backupPhotosToFolder({ db, target, photos });
    } finally {
      await db.destroy();
    }
  });
  const photoCount = Object.keys(manifest.files).filter((name) => name.endsWith(".thumb.jpg")).length;
  const what = manifest.records === "sqlite" ? "the database and " : "";
  const lines = [
    `Backed up ${what}${photoCount.toLocaleString("en-GB")} photos to ${target}, with their SHA-256 in ${path.join(target, "manifest.json")}.`,
    manifest.records === "postgres" ? PG_RECORDS : "",
    manifest.photosMissing.length > 0
      ? `${manifest.photosMissing.length} photos were taken back while the backup was made; their messages show no photo if it is restored.`
      : "",
  ];
  process.stdout.write(`${lines.filter(Boolean).join("\n")}\n`);
  return 0;
}

async function restore(from: string) {
  const config = loadConfig();
  const source = typedPath(from);
  if (config.database.engine === "postgres") {
    const { photos } = await withPhotoStore(config, (store) => restorePhotosFromFolder({ source, photos: store }));
    process.stdout.write(
      `Checked and restored ${photos.toLocaleString("en-GB")} photos from ${source} into ${photoLocation(config)}.\n${PG_RECORDS}\n${NEW_LOG_IDENTITY}\n`,
    );
    return 0;
  }
  const caughtUp =
    "Tablets read their residents' messages again from the start when they next connect; they keep what they have.";
  if (fs.existsSync(source) && fs.statSync(source).isFile()) {
    const { previous } = await restoreDatabase(config.dataDir, source);
    const lines = [
      `Restored the database from ${source}.`,
      previous ? `The database it replaced is kept as ${previous}.` : "",
      `Put the photos back in ${path.join(config.dataDir, "photos")} from the same backup, then start the relay.`,
      caughtUp,
    ];
    process.stdout.write(`${lines.filter(Boolean).join("\n")}\n`);
    return 0;
  }
  const { photos } = await withPhotoStore(config, (store) =>
    restoreFromFolder({ dataDir: config.dataDir, source, photos: store }),
  );
  process.stdout.write(
    `Checked and restored ${source} (the database and ${photos.toLocaleString("en-GB")} photos) into ${config.dataDir}. Start the relay.\n${caughtUp}\n`,
  );
  return 0;
}

async function migrate(rest: string[]) {
  const { values } = parseArgs({ args: rest, options: { to: { type: "string" } } });
  const config = loadConfig();
  const url = values.to ?? (config.database.engine === "postgres" ? config.database.url : undefined);
  if (url === undefined || !/^postgres(ql)?:\/\//i.test(url) || !URL.canParse(url)) {
    process.stderr.write(
      `${url === undefined ? "Say which database to copy into" : `${url} is not a postgres:// address`}: pnpm letterbox migrate --to postgres://letterbox@db.council.internal/letterbox (or set DATABASE_URL).\n`,
    );
    return 2;
  }
  const blobs = config.s3 ? await blobStoreFor(config) : undefined;
  const db = openPostgres(url, { poolSize: 2, log: jsonLogger((l) => process.stderr.write(`${l}\n`)) });
  try {
    const report = await copyToPostgres({
      dataDir: config.dataDir,
      target: db,
      blobs,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    const shown = withoutPassword(url);
    const nextStep = config.s3
      ? `start the relay, as many as you need, with DATABASE_URL=${shown} and S3_BUCKET=${config.s3.bucket}, with the same S3_* settings and credentials as this command had.`
      : `start the relay with DATABASE_URL=${shown} and the same DATA_DIR (${config.dataDir}), which keeps the photos. To run several relays, put the photos in a bucket: run migrate again into a new database with S3_BUCKET set.`;
    process.stdout.write(`${describeMigration(report, { database: shown, photos: photoLocation(config), nextStep })}\n`);
    return 0;
  } finally {
    await db.destroy();
    if (blobs instanceof S3BlobStore) blobs.client.destroy();
  }
}

/** The address as the operator typed it, less its password, which has no place in a terminal's scrollback. */
function withoutPassword(url: string) {
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "****";
  return parsed.toString();
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
    const refusal =
      err instanceof ConfigError || err instanceof BackupError || err instanceof MigrateError || err instanceof AppError;
    process.stderr.write(`${refusal ? err.message : (err?.stack ?? String(err))}\n`);
    process.exit(1);
  },
);
