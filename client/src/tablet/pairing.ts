import { RelayError } from "../api/relay-error";
import type { LetterboxDb } from "../db/db";
import { pairTablet } from "./relay";
import { hashPin, PIN_PATTERN } from "./staff-pin";
import { forgetEverything } from "./sync";

export class PairingProblem extends Error {
  constructor(
    readonly kind: "pin" | "relay" | "unknown",
    message = "",
  ) {
    super(message);
  }
}

/**
 * Staff set the tablet up: the code from the console makes it the resident's device, and the PIN
 * they choose guards the hidden staff corner. Persistent storage is asked for now, while staff hold
 * the tablet, so the browser never evicts the resident's saved messages to make room.
 */
export async function pair(db: LetterboxDb, code: string, pin: string, now: () => number = Date.now) {
  if (!PIN_PATTERN.test(pin)) throw new PairingProblem("pin");
  let paired: Awaited<ReturnType<typeof pairTablet>>;
  try {
    paired = await pairTablet(code);
  } catch (err) {
    // Only the relay's own explanation (a wrong or used code, too many tries); no network or a
    // failure of the relay's is the set-up screen's own sentence, in the tablet's language.
    const explained = err instanceof RelayError && err.status !== 0 && err.code !== "internal";
    throw explained ? new PairingProblem("relay", err.message) : new PairingProblem("unknown");
  }
  const pinHash = await hashPin(pin);
  await db.transaction("rw", db.tables, async () => {
    for (const table of db.tables) await table.clear();
    await db.state.put({
      key: "tablet",
      deviceToken: paired.deviceToken,
      residentId: paired.resident.id,
      preferredName: paired.resident.preferredName,
      cursor: 0,
      lastSyncedAt: null,
      pairedAt: new Date(now()).toISOString(),
      pin: pinHash,
    });
  });
  await navigator.storage?.persist?.().catch(() => false);
}

/** "Set up again": everything of the resident's leaves this tablet before it can be someone else's. */
export async function wipeTablet(db: LetterboxDb) {
  await forgetEverything(db);
}
