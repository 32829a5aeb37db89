import { uuidv7 } from "uuidv7";
import { asRelayError } from "../api/relay-error";
import type { LetterboxDb, OutboxReply } from "../db/db";
import { doublingDelay, jittered } from "../kit/backoff";
import type { Clock, Relay } from "./sync";

/** First retry after 2 s, doubling to at most 5 minutes: a flaky network is not hammered, a short blip costs little. */
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/** How long to wait after the `attempts`-th failure; jitter (half to all of it) spreads tablets that failed together. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  return jittered(doublingDelay(attempts, BACKOFF_BASE_MS, BACKOFF_MAX_MS), random);
}

/**
 * Keeps a one-tap reply in the outbox under an id made here, so however often it is sent (retries,
 * a restart half-way, two flushes at once) the relay stores it once. The same reply to the same
 * message twice (a shaky double tap) is one reply.
 */
export async function queueReply(
  db: LetterboxDb,
  reply: { inReplyTo: string; text: string },
  now: Clock = Date.now,
  makeId: () => string = uuidv7,
): Promise<OutboxReply> {
  return db.transaction("rw", db.outbox, db.replies, async () => {
    const waiting = await db.outbox.where("inReplyTo").equals(reply.inReplyTo).toArray();
    const same = waiting.find((r) => r.text === reply.text && !r.failed);
    if (same) return same;
    const sent = await db.replies.where("inReplyTo").equals(reply.inReplyTo).toArray();
    const done = sent.find((r) => r.text === reply.text);
    const row: OutboxReply = {
      id: done?.id ?? makeId(),
      inReplyTo: reply.inReplyTo,
      text: reply.text,
      createdAt: new Date(now()).toISOString(),
      attempts: 0,
      nextAttemptAt: now(),
    };
    if (done) return row;
    await db.outbox.add(row);
    return row;
  });
}

export type FlushOptions = {
  now?: Clock;
  /** Ignore the backoff (the relay has just answered). */
  force?: boolean;
  random?: () => number;
};

const running = new WeakMap<LetterboxDb, Promise<unknown>>();

/**
 * Sends waiting replies oldest first, each with its own id. A reply leaves the outbox only when the
 * relay has acknowledged it. When the relay cannot be reached, the head of the queue waits out its
 * backoff and the rest wait behind it, so replies arrive in the order they were tapped. A reply the
 * relay refuses for good (its message was taken back) is set aside, not retried for ever.
 * Returns how many were sent.
 */
export function flushOutbox(db: LetterboxDb, relay: Relay, options: FlushOptions = {}): Promise<number> {
  // One flush at a time per database in this context: a second caller waits for the first, then
  // finds only what is still waiting.
  const next = (running.get(db) ?? Promise.resolve()).catch(() => undefined).then(() => runFlush(db, relay, options));
  running.set(db, next);
  return next;
}

async function runFlush(db: LetterboxDb, relay: Relay, { now = Date.now, force = false, random }: FlushOptions) {
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return 0;
  let sent = 0;
  const queue = await db.outbox.orderBy("id").toArray();
  for (const row of queue) {
    if (row.failed) continue;
    if (!force && row.nextAttemptAt > now()) break;
    try {
      const reply = await relay.sendReply(state.deviceToken, { id: row.id, inReplyTo: row.inReplyTo, text: row.text });
      await db.transaction("rw", db.outbox, db.replies, async () => {
        await db.outbox.delete(row.id);
        await db.replies.put({
          id: reply.id,
          inReplyTo: reply.inReplyTo,
          text: reply.text,
          sentAt: reply.sentAt,
          seq: reply.seq,
        });
      });
      sent++;
    } catch (err) {
      const problem = asRelayError(err);
      if (problem.unauthenticated) throw problem;
      if (problem.transient) {
        const attempts = row.attempts + 1;
        await db.outbox.update(row.id, { attempts, nextAttemptAt: now() + backoffMs(attempts, random) });
        break;
      }
      await db.outbox.update(row.id, { failed: true });
    }
  }
  return sent;
}
