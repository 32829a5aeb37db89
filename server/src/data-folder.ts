import path from "node:path";
import { KyselyStore } from "./db/kysely-store";
import { openSqlite } from "./db/sqlite";
import { LocalBlobStore, PhotoStore } from "./images/photo-store";

/** The embedded default: everything the relay keeps lives in one folder (SQLite file and photos). */
export async function openDataFolder(dataDir: string) {
  const db = await openSqlite(dataDir);
  return {
    db,
    store: new KyselyStore(db),
    photos: new PhotoStore(new LocalBlobStore(path.join(dataDir, "photos"))),
  };
}
