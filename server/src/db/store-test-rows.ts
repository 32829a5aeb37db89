/**
 * Rows for the store's own tests (kysely-store, concurrent-writers), which write through the Store
 * interface with no relay in front of it. Every time in them is START or a few minutes after.
 */
import { randomUUID } from "node:crypto";
import { uuidv7 } from "uuidv7";
import { newResidentRow } from "../services/residents";
import type { StaffRow, Store } from "../store";
import { START } from "../test-support";

export const NOW = START.toISOString();

export const later = (minutes: number) => new Date(START.getTime() + minutes * 60_000).toISOString();

/**
 * A resident with one family link (token hash `hash-of-<link id>`), and `message` to make that
 * link's messages to append.
 */
export async function residentWithLink(store: Store, preferredName = "Margaret") {
  const resident = newResidentRow(randomUUID(), `${preferredName} Example`, preferredName, NOW);
  await store.residents.create(resident);
  const link = {
    id: randomUUID(),
    residentId: resident.id,
    label: "Family",
    displayName: null,
    relationship: null,
    createdAt: NOW,
    revokedAt: null,
    lastUsedAt: null,
  };
  await store.familyLinks.create(link, `hash-of-${link.id}`);
  const message = (text: string, id = uuidv7()) => ({
    id,
    residentId: resident.id,
    familyLinkId: link.id,
    senderName: "Family",
    senderRelationship: null,
    text,
    photos: [],
    sentAt: NOW,
  });
  return { resident, link, message };
}

export const staffRow = (email: string): StaffRow => ({
  id: randomUUID(),
  name: "Staff",
  email,
  passwordHash: "x",
  createdAt: NOW,
  role: "admin",
  disabledAt: null,
});
