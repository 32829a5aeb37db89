import type { ReceiptState } from "@letterbox/shared";
import { asRelayError } from "../api/relay-error";
import type { LetterboxDb, QueuedReceipt } from "../db/db";
import type { Relay } from "./sync";

/** The relay takes at most this many receipts in one request. */
export const RECEIPTS_PER_REQUEST = 100;

export const receiptKey = (messageId: string, state: ReceiptState) => `${messageId}:${state}`;

/** Keeps a receipt until the relay has it; queuing the same one twice is one receipt. */
export async function queueReceipt(db: LetterboxDb, messageId: string, state: ReceiptState, now: number) {
  const key = receiptKey(messageId, state);
  if (!(await db.receipts.get(key))) await db.receipts.add({ key, messageId, state, queuedAt: now });
}

/**
 * The message has been on screen long enough to count as seen: it stops being unread here at once,
 * and a "seen" receipt waits for the relay. Returns false when it was seen already.
 */
export async function markSeen(db: LetterboxDb, messageId: string, now: number = Date.now()): Promise<boolean> {
  return db.transaction("rw", db.messages, db.receipts, async () => {
    const message = await db.messages.get(messageId);
    if (!message || message.unreadSeq === undefined) return false;
    await db.messages.update(messageId, { unreadSeq: undefined, seenAt: new Date(now).toISOString() });
    await queueReceipt(db, messageId, "seen", now);
    return true;
  });
}

/**
 * Sends queued receipts in batches, oldest first, and forgets each batch the relay acknowledged.
 * When the relay refuses a batch outright (a message in it was taken back meanwhile), the receipts
 * go one by one so that one bad receipt cannot hold the others back for ever.
 */
export async function flushReceipts(db: LetterboxDb, relay: Relay): Promise<number> {
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return 0;
  let sent = 0;
  for (;;) {
    const batch = await db.receipts.orderBy("queuedAt").limit(RECEIPTS_PER_REQUEST).toArray();
    if (batch.length === 0) return sent;
    try {
      await relay.sendReceipts(state.deviceToken, batch.map(toRequest));
      await db.receipts.bulkDelete(batch.map((r) => r.key));
      sent += batch.length;
    } catch (err) {
      const problem = asRelayError(err);
      if (problem.unauthenticated) throw problem;
      if (problem.transient) return sent;
      try {
        sent += await sendOneByOne(db, relay, state.deviceToken, batch);
      } catch (again) {
        if (asRelayError(again).unauthenticated) throw again;
        return sent;
      }
    }
  }
}

async function sendOneByOne(db: LetterboxDb, relay: Relay, deviceToken: string, batch: QueuedReceipt[]) {
  let sent = 0;
  for (const receipt of batch) {
    try {
      await relay.sendReceipts(deviceToken, [toRequest(receipt)]);
      sent++;
    } catch (err) {
      const problem = asRelayError(err);
      if (problem.unauthenticated || problem.transient) throw problem;
      // Refused for good: dropping it is all that can be done.
    }
    await db.receipts.delete(receipt.key);
  }
  return sent;
}

const toRequest = ({ messageId, state }: QueuedReceipt) => ({ messageId, state });
