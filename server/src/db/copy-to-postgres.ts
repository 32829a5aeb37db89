/**
 * `pnpm letterbox migrate`: moves a relay from its embedded default (the SQLite file and photos in
 * the data folder) to PostgreSQL and, when S3_BUCKET is set, an S3 bucket, so that several relay
 * processes can share them. Tablets and family links go on as before: every row is copied as it
 * is (the same token hashes, the same sequence numbers, the same log identity).
 *
 * The relay must be stopped: a message it took after the copy would be lost when the new relay
 * starts. The SQLite file is locked for the whole copy (the check `restore` makes), so neither a
 * running relay nor one started meanwhile can write to it; no record in the data folder changes.
 *
 * Photos go first, then the records in one PostgreSQL transaction. A failure anywhere leaves the
 * database empty, so that migrate can simply be run again; photos already in the bucket are named
 * by their content, and the next run writes the same bytes under the same keys.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type SQLite from "better-sqlite3";
import { type Kysely, sql, type Transaction } from "kysely";
import { photosFolder } from "../data-folder";
import { type BlobStore, isBlobKey } from "../images/photo-store";
import { lockStoppedDatabase } from "./backup";
import { allMigrations, migrateToLatest } from "./migrations";
import type { Database } from "./schema";
import { DATABASE_FILE } from "./sqlite";

/** A migration that cannot go ahead or did not hold; the message says what to do. */
export class MigrateError extends Error {
  override name = "MigrateError";
}

/**
 * Every table of the relay, and how it is copied. A Record over the schema's tables, so that a new
 * table does not compile until it is listed here; one a migration makes without it being in the
 * schema is refused at run time (`checkTables`), not left behind.
 * - "rows": every row, into a table that must be empty.
 * - "replace": a table the migrations fill themselves (log_identity's one row, a random id), whose
 *   rows give way to the source's: the same log identity keeps the tablets' cursors valid.
 */
const TABLES: Record<keyof Database, "rows" | "replace"> = {
  audit_log: "rows",
  devices: "rows",
  family_links: "rows",
  limit_counters: "rows",
  log_entries: "rows",
  log_identity: "replace",
  message_photos: "rows",
  messages: "rows",
  org_settings: "rows",
  photo_upload_quota: "rows",
  photo_uploads: "rows",
  push_device_states: "rows",
  push_subscriptions: "rows",
  push_vapid_keys: "rows",
  replies: "rows",
  residents: "rows",
  // Staff stay signed in across the move: a session row is no more secret in PostgreSQL than in
  // the file, and it still ends at its own time (created_at and last_seen_at are copied with it).
  setup_codes: "rows",
  staff: "rows",
  staff_invites: "rows",
  staff_sessions: "rows",
  staff_setup_tokens: "rows",
};

const KNOWN_TABLES = Object.keys(TABLES).sort() as (keyof Database)[];
/** Kysely's bookkeeping: made by migrateToLatest on each side, never copied. */
const MIGRATION_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);
/** Rows per INSERT, within PostgreSQL's 65,535 parameters a statement. */
const MAX_ROWS_PER_BATCH = 500;
const MAX_PARAMETERS_PER_BATCH = 30_000;
/** A progress line after this many photo files. */
const PHOTOS_PER_PROGRESS_LINE = 500;
/** How many missing photos the report names; it counts them all. */
const MISSING_PHOTOS_NAMED = 5;

/** Photos in flight at once: enough to hide the object store's latency, few enough for a small relay. */
const PHOTO_CONCURRENCY = 8;

export type MigrationReport = {
  source: string;
  /** Rows per table, checked equal on both sides. */
  tables: Record<string, number>;
  photos: { copied: number; bytes: number; skipped: string[] } | { keptIn: string; files: number; bytes: number };
  /** Photos that messages show but whose files were not in the folder, so were not copied either. */
  missingPhotos: { count: number; first: string[] };
  logId: string;
  elapsedMs: number;
};

/**
 * Copies the data folder's database into the PostgreSQL database `target` opens (migrating it to
 * the latest schema first), and its photos into `blobs`; with no `blobs`, photos stay where they
 * are. Throws MigrateError (or BackupError, when the relay is running) with a sentence for the
 * operator; the database is then left with no Letterbox rows in it.
 */
export async function copyToPostgres(options: {
  dataDir: string;
  target: Kysely<Database>;
  blobs?: BlobStore;
  /** Told a line at a time how far the copy has gone, for a long migration. */
  onProgress?: (line: string) => void;
}): Promise<MigrationReport> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const file = path.join(options.dataDir, DATABASE_FILE);
  await fs.access(file).catch(() => {
    throw new MigrateError(`There is no Letterbox database in ${options.dataDir} to migrate: check DATA_DIR.`);
  });
  const source = lockStoppedDatabase(file, "The relay is running (its database is in use). Stop it, then run migrate again.");
  try {
    checkSourceIsCurrent(source, file);
    const sourceTables = tablesOfSqlite(source);
    checkTables("The SQLite database", sourceTables);
    const counts = Object.fromEntries(KNOWN_TABLES.map((t) => [t, countSqlite(source, t)])) as Record<keyof Database, number>;
    const logId = (source.prepare("SELECT log_id FROM log_identity WHERE id = 1").pluck().get() as string | undefined) ?? "";
    if (logId === "") throw new MigrateError(`${file} has no log identity; start the relay on it once, stop it, then migrate.`);

    const db = options.target;
    // Before the migrations create anything: never add Letterbox's tables to someone else's database.
    const existing = await tablesOfPostgres(db);
    const foreign = existing.filter((t) => !(t in TABLES) && !MIGRATION_TABLES.has(t));
    if (foreign.length > 0) {
      throw new MigrateError(
        `The target database already holds tables that are not Letterbox's (${foreign.join(", ")}). Give migrate a new, empty database.`,
      );
    }
    await refuseIfNotEmpty(db, existing);
    await migrateToLatest(db as Kysely<unknown>);
    checkTables("The PostgreSQL database", await tablesOfPostgres(db));

    const listed = await listBlobs(photosFolder(options.dataDir));
    const missingPhotos = photosNotIn(source, listed.blobs);
    const photos = options.blobs
      ? await copyPhotos(listed, options.blobs, progress)
      : { keptIn: photosFolder(options.dataDir), ...(await measurePhotos(listed.blobs)) };

    await db.transaction().execute(async (trx) => {
      // A big table may take longer than the relay's statement timeout; this is the one transaction.
      await sql`SET LOCAL statement_timeout = 0`.execute(trx);
      // A relay started on the target meanwhile waits for the copy rather than write into it.
      await sql`LOCK TABLE ${sql.join(KNOWN_TABLES.map((t) => sql.table(t)))} IN EXCLUSIVE MODE`.execute(trx);
      await refuseIfNotEmpty(trx, KNOWN_TABLES);
      for (const table of await foreignKeyOrder(trx)) {
        const columns = await checkColumns(source, trx, table);
        if (TABLES[table] === "replace") await trx.deleteFrom(table).execute();
        await copyTable(source, trx, table, columns);
        progress(`Copied ${table} (${howMany(counts[table], "row")}).`);
      }
      await continueIdentities(source, trx);
      for (const table of KNOWN_TABLES) {
        const copied = await countPostgres(trx, table);
        if (copied !== counts[table]) {
          throw new MigrateError(
            `${table} has ${counts[table]} rows in SQLite but ${copied} arrived in PostgreSQL; nothing was kept. Run migrate again.`,
          );
        }
      }
      const kept = await trx.selectFrom("log_identity").select("log_id").where("id", "=", 1).executeTakeFirst();
      if (kept?.log_id !== logId) throw new MigrateError("The log identity did not arrive in PostgreSQL; nothing was kept.");
    });
    return { source: file, tables: counts, photos, missingPhotos, logId, elapsedMs: performance.now() - started };
  } finally {
    source.close();
  }
}

/** The source must be at this Letterbox's schema: the copy writes column for column into it. */
function checkSourceIsCurrent(source: SQLite.Database, file: string) {
  const hasMigrations = source.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get();
  if (!hasMigrations) throw new MigrateError(`${file} is not a Letterbox database.`);
  const ran = new Set(source.prepare("SELECT name FROM kysely_migration").pluck().all() as string[]);
  const newer = [...ran].filter((name) => !(name in allMigrations));
  if (newer.length > 0) {
    throw new MigrateError(`${file} was made by a newer Letterbox (${newer.join(", ")}). Upgrade this one first.`);
  }
  if (Object.keys(allMigrations).some((name) => !ran.has(name))) {
    throw new MigrateError(
      `${file} was last opened by an older Letterbox. Start the relay once with this version (it brings the database up to date), stop it, then run migrate again.`,
    );
  }
}

/** Every table must be one the copier knows, and every one it knows must be there. */
function checkTables(where: string, tables: string[]) {
  const unknown = tables.filter((t) => !(t in TABLES) && !MIGRATION_TABLES.has(t));
  if (unknown.length > 0) {
    throw new MigrateError(
      `${where} has tables that migrate does not know how to copy (${unknown.join(", ")}), so it copies nothing. This is a fault in Letterbox: report it.`,
    );
  }
  const missing = KNOWN_TABLES.filter((t) => !tables.includes(t));
  if (missing.length > 0)
    throw new MigrateError(`${where} lacks Letterbox tables (${missing.join(", ")}), so migrate copies nothing.`);
}

async function refuseIfNotEmpty(db: Kysely<Database>, tables: readonly string[]) {
  const holding: string[] = [];
  for (const table of tables) {
    if (!(table in TABLES) || TABLES[table as keyof Database] === "replace") continue;
    const { rows } = await sql<{ found: boolean }>`SELECT EXISTS (SELECT 1 FROM ${sql.table(table)}) AS found`.execute(db);
    if (rows[0]?.found) holding.push(table);
  }
  if (holding.length > 0) {
    throw new MigrateError(
      `The target database already holds Letterbox records (in ${holding.join(", ")}). migrate copies only into an empty database, so that nothing is overwritten: give it a new one. Nothing was written.`,
    );
  }
}

const tablesOfSqlite = (source: SQLite.Database) =>
  source
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];

async function tablesOfPostgres(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  return rows.map((r) => r.name);
}

const countSqlite = (source: SQLite.Database, table: string) =>
  Number(source.prepare(`SELECT count(*) FROM "${table}"`).pluck().get());

async function countPostgres(db: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n);
}

/**
 * The tables, parents before children, from the target's own foreign keys: a reference added by a
 * later migration orders itself.
 */
async function foreignKeyOrder(db: Kysely<Database>): Promise<(keyof Database)[]> {
  const { rows } = await sql<{ child: string; parent: string }>`
    SELECT child.relname AS child, parent.relname AS parent
    FROM pg_constraint c
    JOIN pg_class child ON child.oid = c.conrelid
    JOIN pg_class parent ON parent.oid = c.confrelid
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`.execute(db);
  const order: (keyof Database)[] = [];
  const placed = new Set<string>();
  while (order.length < KNOWN_TABLES.length) {
    const ready = KNOWN_TABLES.filter(
      (t) => !placed.has(t) && rows.every((r) => r.child !== t || r.parent === t || placed.has(r.parent)),
    );
    if (ready.length === 0) throw new MigrateError("The tables' foreign keys form a cycle, so migrate cannot order them.");
    for (const t of ready) {
      placed.add(t);
      order.push(t);
    }
  }
  return order;
}

/** The columns both sides have; they must be the same, or a column would be dropped or left empty. */
async function checkColumns(source: SQLite.Database, db: Kysely<Database>, table: string): Promise<string[]> {
  const from = (source.pragma(`table_info("${table}")`) as { name: string }[]).map((c) => c.name).sort();
  const { rows } = await sql<{ name: string }>`
    SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table}`.execute(db);
  const to = rows.map((r) => r.name).sort();
  if (from.join(",") !== to.join(",")) {
    throw new MigrateError(
      `${table} has the columns ${from.join(", ")} in SQLite but ${to.join(", ")} in PostgreSQL, so migrate copies nothing.`,
    );
  }
  return from;
}

/** In rowid order and in batches, so that a large table never has to fit in memory. */
async function copyTable(source: SQLite.Database, trx: Transaction<Database>, table: keyof Database, columns: string[]) {
  const batch = Math.max(1, Math.min(MAX_ROWS_PER_BATCH, Math.floor(MAX_PARAMETERS_PER_BATCH / columns.length)));
  const select = source
    .prepare(
      `SELECT rowid AS copy_rowid, ${columns.map((c) => `"${c}"`).join(", ")} FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    )
    // Whole numbers as BigInt, so that none is rounded on the way.
    .safeIntegers(true);
  let after: bigint = -(2n ** 63n);
  for (;;) {
    const rows = select.all(after, batch) as Record<string, unknown>[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.copy_rowid as bigint;
    const values = rows.map((row) => Object.fromEntries(columns.map((c) => [c, forPostgres(row[c])])));
    try {
      await trx
        .insertInto(table)
        .values(values as never)
        .execute();
    } catch (err) {
      throw new MigrateError(
        `A row of ${table} could not be copied (${(err as Error).message}); nothing was kept in PostgreSQL. Correct the row in SQLite, or report it, then run migrate again.`,
        { cause: err },
      );
    }
  }
}

function forPostgres(value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  // Text keeps a number beyond 2^53 exact; PostgreSQL reads it into the integer column.
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/**
 * Identity columns (audit_log.id) go on after the highest number ever handed out, not only the
 * highest kept: SQLite's AUTOINCREMENT never reuses one, and neither will PostgreSQL.
 */
async function continueIdentities(source: SQLite.Database, trx: Transaction<Database>) {
  const { rows } = await sql<{ table: string; column: string }>`
    SELECT table_name AS table, column_name AS column FROM information_schema.columns
    WHERE table_schema = current_schema() AND is_identity = 'YES'`.execute(trx);
  const hasSequences = source.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
  for (const { table, column } of rows) {
    const handedOut = hasSequences
      ? Number(source.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?").pluck().get(table) ?? 0)
      : 0;
    const kept = Number(source.prepare(`SELECT max("${column}") FROM "${table}"`).pluck().get() ?? 0);
    const last = Math.max(handedOut, kept);
    if (last > 0) await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), ${last})`.execute(trx);
  }
}

/**
 * Every blob under the photos folder (`ab/abcdef….jpg`), written to `target`, read back and
 * compared. A display image's key is the SHA-256 of its bytes, so it is checked against its name
 * first: a damaged file is reported rather than copied. Files that are not blobs (and `.incoming`,
 * writes that never finished) are left behind and listed.
 */
async function copyPhotos(
  { blobs, skipped }: { blobs: { key: string; file: string }[]; skipped: string[] },
  target: BlobStore,
  progress: (line: string) => void,
) {
  let bytes = 0;
  let copied = 0;
  let next = 0;
  let failure: unknown;
  const copyNext = async () => {
    const { key, file } = blobs[next++] as { key: string; file: string };
    const data = await fs.readFile(file);
    const hash = sha256(data);
    const named = key.match(/^([0-9a-f]{64})\.jpg$/)?.[1];
    if (named !== undefined && named !== hash) {
      throw new MigrateError(
        `${file} does not match its name (SHA-256 ${hash}): the file is damaged. Put it back from a backup, or delete it (its message then shows no photo), and run migrate again. Nothing was written to the database.`,
      );
    }
    await target.put(key, data);
    const back = await target.get(key);
    if (!back || sha256(back) !== hash) {
      throw new MigrateError(
        `The photo ${key} came back from the photo store different from what was written. Check the object store, then run migrate again. Nothing was written to the database.`,
      );
    }
    bytes += data.byteLength;
    copied += 1;
    if (copied % PHOTOS_PER_PROGRESS_LINE === 0 || copied === blobs.length) {
      progress(`Copied ${copied.toLocaleString("en-GB")} of ${blobs.length.toLocaleString("en-GB")} photo files.`);
    }
  };
  // After a failure the others finish the photo in hand and stop, so nothing is written after the error is reported.
  const worker = async () => {
    while (failure === undefined && next < blobs.length) await copyNext().catch((err) => (failure ??= err));
  };
  await Promise.all(Array.from({ length: Math.min(PHOTO_CONCURRENCY, blobs.length) }, worker));
  if (failure !== undefined) throw failure;
  return { copied: blobs.length, bytes, skipped };
}

/**
 * The photos messages show whose display image is not among `blobs`: lost from the folder before
 * the move (those messages show no photo, before and after it). Sorted, so the report is stable.
 */
function photosNotIn(source: SQLite.Database, blobs: { key: string }[]): MigrationReport["missingPhotos"] {
  const present = new Set(blobs.map((blob) => blob.key));
  const shown = source.prepare("SELECT DISTINCT photo_id FROM message_photos ORDER BY photo_id").pluck().all() as string[];
  const missing = shown.filter((id) => !present.has(`${id}.jpg`));
  return { count: missing.length, first: missing.slice(0, MISSING_PHOTOS_NAMED) };
}

async function measurePhotos(blobs: { file: string }[]) {
  let bytes = 0;
  for (const { file } of blobs) bytes += (await fs.stat(file)).size;
  return { files: blobs.length, bytes };
}

async function listBlobs(root: string): Promise<{ blobs: { key: string; file: string }[]; skipped: string[] }> {
  const blobs: { key: string; file: string }[] = [];
  const skipped: string[] = [];
  const entries = await fs.readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  for (const shard of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (shard.name === ".incoming") continue;
    if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) {
      skipped.push(shard.name);
      continue;
    }
    for (const entry of (await fs.readdir(path.join(root, shard.name), { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const name = `${shard.name}/${entry.name}`;
      if (entry.isFile() && isBlobKey(entry.name) && entry.name.startsWith(shard.name)) {
        blobs.push({ key: entry.name, file: path.join(root, name) });
      } else skipped.push(name);
    }
  }
  return { blobs, skipped };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** What migrate did, for the operator: tables and rows, photos and bytes, the time, the next step. */
export function describeMigration(report: MigrationReport, where: { database: string; photos?: string; nextStep: string }) {
  const rows = Object.values(report.tables).reduce((a, b) => a + b, 0);
  const width = Math.max(...Object.keys(report.tables).map((t) => t.length));
  const lines = [
    `Copied ${report.source} to ${where.database} in ${(report.elapsedMs / 1000).toFixed(1)} s.`,
    ...Object.entries(report.tables).map(([t, n]) => `  ${t.padEnd(width)}  ${n.toLocaleString("en-GB")}`),
    `${Object.keys(report.tables).length} tables, ${rows.toLocaleString("en-GB")} rows, each table's count checked against the source.`,
  ];
  const { photos } = report;
  if ("copied" in photos) {
    lines.push(
      `Copied ${photos.copied.toLocaleString("en-GB")} photo files (${megabytes(photos.bytes)}) to ${where.photos}, each read back and checked (SHA-256).`,
    );
    if (photos.skipped.length > 0) lines.push(`Left behind, not being photos: ${photos.skipped.join(", ")}.`);
  } else {
    lines.push(
      `Photos stay in ${photos.keptIn} (${photos.files.toLocaleString("en-GB")} files, ${megabytes(photos.bytes)}): S3_BUCKET is not set. Every relay must use that folder.`,
    );
  }
  const { missingPhotos } = report;
  if (missingPhotos.count > 0) {
    const more = missingPhotos.count > missingPhotos.first.length ? ", and others" : "";
    lines.push(
      `${howMany(missingPhotos.count, "photo")} that messages show ${missingPhotos.count === 1 ? "was" : "were"} not in the photos folder (${missingPhotos.first.join(", ")}${more}): those messages show no photo, as they did before. If a backup of the photos folder has them, put them in the new photo store under the same names.`,
    );
  }
  lines.push(
    `The log keeps its identity (${report.logId}): paired tablets and family links carry on where they were.`,
    `The SQLite database is left as it was; keep it, with a backup, until the new relay has run for a while.`,
    `Next: ${where.nextStep}`,
  );
  return lines.join("\n");
}

const howMany = (n: number, word: string) => `${n.toLocaleString("en-GB")} ${word}${n === 1 ? "" : "s"}`;

const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
