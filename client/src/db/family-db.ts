import type { ErrorCode, UploadedPhoto } from "@letterbox/shared";
import { Dexie, type EntityTable } from "dexie";

/** One photo of an unsent message: the shrunk image itself, so a reload or a lost signal loses nothing. */
export type OutboxPhoto = {
  blob: Blob;
  caption: string;
  /** Set once the relay has the bytes, so a retry after a lost signal uploads only what is missing. */
  uploaded: UploadedPhoto | null;
};

/** Why the relay refused a message; it stays in the outbox until the sender tries again or removes it. */
export type OutboxProblem = {
  code: ErrorCode | "network";
  message: string;
  /** The photo (0-based) the relay refused, when it was one photo. */
  photo: number | null;
};

/** A message written on this phone and not yet acknowledged by the relay. */
export type OutboxEntry = {
  /** The message's own UUIDv7: the relay accepts each id once, so resending can never duplicate. */
  id: string;
  /** The link it was written under: a message goes with the link it was written for, even if a new link is opened later. */
  token: string;
  text: string;
  photos: OutboxPhoto[];
  createdAt: string;
  problem: OutboxProblem | null;
};

/** The family link token, moved here from the address bar so it never stays in history or bookmarks. */
export type FamilyState = { key: "token"; value: string };

type FamilyDb = Dexie & {
  outbox: EntityTable<OutboxEntry, "id">;
  state: EntityTable<FamilyState, "key">;
};

function openFamilyDb(): FamilyDb {
  // Apart from the tablet's database: a family member's phone never holds a resident's messages.
  const db = new Dexie("letterbox-family") as FamilyDb;
  db.version(1).stores({
    outbox: "id, createdAt",
    state: "key",
  });
  return db;
}

/** The family page's one database: its outbox of unsent messages and its link token. */
export const familyDb = openFamilyDb();
