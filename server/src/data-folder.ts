import fs from "node:fs";
import path from "node:path";
import type { LogConfig } from "kysely";
import type { DatabaseConfig } from "./config";
import { kyselyStore } from "./db/kysely-store";
import { openDatabase } from "./db/open-database";
import { type BlobStore, LocalBlobStore, PhotoStore } from "./images/photo-store";
import { type Logger, silentLogger } from "./log";

const DATABASE_FILE = "letterbox.sqlite";
const PHOTOS_FOLDER = "photos";

export const photosFolder = (dataDir: string) => path.join(dataDir, PHOTOS_FOLDER);

/**
 * The embedded default: everything the relay keeps lives in one folder (SQLite file and photos).
 * With DATABASE_URL (`database`), the records are in PostgreSQL; `blobs` puts the photos elsewhere
 * (an S3 bucket: photo-storage.ts). `openToOthers` lists what already existed there and other
 * users of the machine can read or write, for the relay to warn about at start.
 */
export async function openDataFolder(
  dataDir: string,
  {
    database = { engine: "sqlite" },
    log = silentLogger,
    blobs = new LocalBlobStore(photosFolder(dataDir)),
    queryLog,
  }: { database?: DatabaseConfig; log?: Logger; blobs?: BlobStore; queryLog?: LogConfig } = {},
) {
  const openToOthers = prepareDataFolder(dataDir, database.engine === "sqlite");
  const db = await openDatabase({ dataDir, database }, log, queryLog);
  return {
    db,
    store: kyselyStore(db),
    photos: new PhotoStore(blobs),
    openToOthers,
  };
}

/**
 * The folder holds message text, password hashes and the VAPID private key, so what the relay
 * creates in it is for the relay's own user only: folders 0700, files 0600. What already exists is
 * left as the operator set it (a backup job may read it through its group, say) but reported.
 *
 * The database file is made here, before SQLite opens it, because SQLite gives its -wal and -shm
 * files the database file's permissions: a private database file makes them private too, whatever
 * the umask. The photos folder is made, 0700 as well, by LocalBlobStore when the first photo comes.
 */
export function prepareDataFolder(dataDir: string, withDatabaseFile = true): string[] {
  const openToOthers: string[] = [];
  const check = (p: string) => {
    const mode = modeOf(p);
    if (mode !== undefined && (mode & 0o077) !== 0) openToOthers.push(`${p} (${mode.toString(8).padStart(3, "0")})`);
  };
  check(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, PHOTOS_FOLDER]) {
    check(path.join(dataDir, name));
  }
  if (withDatabaseFile) fs.closeSync(fs.openSync(path.join(dataDir, DATABASE_FILE), "a", 0o600));
  // Windows has no such bits; its folders inherit their access lists instead.
  return process.platform === "win32" ? [] : openToOthers;
}

/** The permission bits of a path, or undefined when there is nothing there. */
function modeOf(p: string): number | undefined {
  try {
    return fs.statSync(p).mode & 0o777;
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "ENOENT") return undefined;
    throw err;
  }
}
