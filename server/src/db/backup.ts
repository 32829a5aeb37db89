import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { allMigrations } from "./migrations";
import { DATABASE_FILE } from "./sqlite";

/** A backup or restore that cannot go ahead; the message says what to do, for whoever runs the relay. */
export class BackupError extends Error {
  override name = "BackupError";
}

/**
 * Copies the data folder's database to `target` while the relay may be running: SQLite's online
 * backup reads a consistent copy page by page, and starts again if the relay writes meanwhile.
 *
 * The copy gets a log identity of its own. A copy is a different log from the moment the relay
 * appends after it; with its own identity, even a copy put back by hand (not with `restore`) makes
 * every tablet read the log again from the start instead of waiting for sequence numbers it has
 * already seen.
 */
export async function backupDatabase(dataDir: string, target: string): Promise<{ file: string; logId: string | null }> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(source)) throw new BackupError(`There is no Letterbox database in ${dataDir} to back up.`);
  if (fs.existsSync(target)) throw new BackupError(`${target} already exists. Choose a new file name for the backup.`);
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    await db.backup(partial);
  } finally {
    db.close();
  }
  try {
    const logId = renewLogIdentity(partial);
    secureAndPlace(partial, target);
    return { file: target, logId };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * Makes `backup` the data folder's database. The relay must be stopped. The database it replaces
 * is kept beside it (`letterbox.sqlite.before-restore-…`), in case the wrong backup was chosen.
 * The restored database gets a new log identity, so that restoring the same backup twice still
 * counts as two different logs to the tablets.
 */
export async function restoreDatabase(
  dataDir: string,
  backup: string,
  now: Date = new Date(),
): Promise<{ logId: string | null; previous: string | null }> {
  checkIsLetterboxBackup(backup);
  const current = path.join(dataDir, DATABASE_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let previous: string | null = null;
  if (fs.existsSync(current)) {
    closeForRestore(current);
    previous = `${current}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(current, previous);
    fs.chmodSync(previous, 0o600);
  }
  // A write-ahead log left beside the name would be replayed into the restored file.
  for (const sidecar of ["-wal", "-shm", "-journal"]) fs.rmSync(`${current}${sidecar}`, { force: true });

  const incoming = `${current}.restoring`;
  for (const leftover of ["", "-wal", "-shm", "-journal"]) fs.rmSync(`${incoming}${leftover}`, { force: true });
  const source = new SQLite(backup, { readonly: true, fileMustExist: true });
  try {
    await source.backup(incoming);
  } finally {
    source.close();
  }
  const logId = renewLogIdentity(incoming);
  secureAndPlace(incoming, current);
  return { logId, previous };
}

function checkIsLetterboxBackup(file: string) {
  if (!fs.existsSync(file)) throw new BackupError(`There is no file ${file}.`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupError(`${file} is not a Letterbox backup (it is not a database).`);
  }
  try {
    let tables: string[];
    try {
      tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    } catch {
      throw new BackupError(`${file} is not a Letterbox backup (it is not a database).`);
    }
    if (!tables.includes("residents") || !tables.includes("kysely_migration")) {
      throw new BackupError(`${file} is not a Letterbox backup.`);
    }
    if (db.pragma("quick_check", { simple: true }) !== "ok") {
      throw new BackupError(`${file} is damaged (SQLite's check failed). Choose another backup.`);
    }
    const ran = db.prepare("SELECT name FROM kysely_migration").pluck().all() as string[];
    const unknown = ran.filter((name) => !(name in allMigrations));
    if (unknown.length > 0) {
      throw new BackupError(`${file} was made by a newer Letterbox (${unknown.join(", ")}). Upgrade this relay first.`);
    }
  } finally {
    db.close();
  }
}

/**
 * Refuses while the relay has the database open, then folds the write-ahead log into the file,
 * which can then be moved as one.
 */
function closeForRestore(file: string) {
  const db = lockStoppedDatabase(file, "The relay is running (its database is in use). Stop it, then restore.");
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/**
 * Opens the database only if no relay has it open, and keeps every other connection out until it
 * is closed: in WAL mode every open connection holds a shared lock, so an exclusive one cannot be
 * had while the relay runs. `refusal` is the sentence the BackupError carries when it is in use.
 */
export function lockStoppedDatabase(file: string, refusal: string): SQLite.Database {
  const db = new SQLite(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("ROLLBACK");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith("SQLITE_BUSY")) throw new BackupError(refusal);
    throw err;
  }
  return db;
}

/**
 * Gives the file a new log identity, and leaves it with no write-ahead log beside it, so that it is
 * one file to keep or move (the relay turns WAL on again when it opens it). A database from before
 * log identities has none yet (null): the migration that adds one makes it when the relay opens it.
 */
function renewLogIdentity(file: string): string | null {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_identity'").get();
    if (!hasTable) return null;
    const logId = randomUUID();
    db.prepare("UPDATE log_identity SET log_id = ? WHERE id = 1").run(logId);
    return logId;
  } finally {
    db.close();
  }
}

/** The file holds message text and password hashes: readable by its owner only, and in place whole or not at all. */
function secureAndPlace(from: string, to: string) {
  fs.chmodSync(from, 0o600);
  const fd = fs.openSync(from, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(from, to);
  const dir = fs.openSync(path.dirname(to), "r");
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
