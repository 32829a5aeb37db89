import "fake-indexeddb/auto";
import { type LetterboxDb, openDb } from "../../db/db";
import { TOKEN } from "./fake-relay";

let n = 0;

/** A fresh tablet database (in fake-indexeddb), already paired unless told otherwise. */
export async function pairedDb(name = `tablet-test-${n++}`, paired = true): Promise<LetterboxDb> {
  const db = openDb(name);
  if (paired) {
    await db.state.put({
      key: "tablet",
      deviceToken: TOKEN,
      residentId: "r",
      preferredName: "Margaret",
      cursor: 0,
      lastSyncedAt: null,
    });
  }
  return db;
}
