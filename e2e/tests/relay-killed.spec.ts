import { type SendMessageRequest, sentMessageSchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { TabletApi } from "../support/api";
import { expect, test } from "../support/cluster";
import type { RunningRelay } from "../support/relay";

/** Five family members send at once: four through relay A (until it dies), one through B throughout. */
const SENDERS = [
  { label: "Sarah (daughter)", startsOn: "a" },
  { label: "Tom (son)", startsOn: "a" },
  { label: "Priya (granddaughter)", startsOn: "a" },
  { label: "Ben (grandson)", startsOn: "a" },
  { label: "Joan (sister)", startsOn: "b" },
] as const;
const EACH = 12;
/** A is killed once this many sends (of 60) are acknowledged: mid-burst, with sends in flight to it. */
const KILL_AFTER = 20;
const MAX_ATTEMPTS = 20;

type Ack = { id: string; seq: number; by: "a" | "b"; status: number };

test("relay A is killed (SIGKILL) mid-burst while phones retry on B: every acknowledged message is in B's log exactly once, in each sender's order, and the seqs have no gap", async ({
  cluster,
}) => {
  test.setTimeout(120_000);
  const { a, b, staff } = cluster;
  const home = await staff.household("Margaret", SENDERS[0].label);
  const tokens = [home.familyToken];
  for (const sender of SENDERS.slice(1)) tokens.push((await staff.familyLink(home.residentId, sender.label)).token);

  const relays: Record<"a" | "b", RunningRelay> = { a, b };
  const acks: Ack[][] = SENDERS.map(() => []);
  const failed = { a: [] as string[], b: [] as string[] };
  let acknowledged = 0;
  let killed: Promise<void> | undefined;

  /**
   * One send as the family page's outbox does it: one id for the message, kept across retries. A
   * phone whose relay fails (refuses the connection, drops it, answers 5xx) sends the same id to B,
   * and stays on B; a 4xx is an answer, never retried.
   */
  async function send(sender: number, text: string, on: "a" | "b"): Promise<"a" | "b"> {
    const body: SendMessageRequest = { id: uuidv7(), text, photos: [] };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let status: number;
      let answer: unknown;
      try {
        const res = await fetch(`${relays[on].url}/api/family/messages`, {
          method: "POST",
          headers: { Authorization: `Bearer ${tokens[sender]}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        answer = await res.json();
      } catch (err) {
        failed[on].push(String((err as Error).cause ?? err));
        on = "b";
        continue;
      }
      if (status === 200 || status === 201) {
        const message = sentMessageSchema.parse((answer as { message: unknown }).message);
        expect(message.id).toBe(body.id);
        acks[sender]?.push({ id: message.id, seq: message.seq, by: on, status });
        if (++acknowledged === KILL_AFTER) killed = a.kill();
        return on;
      }
      expect(status, `${text} through ${on}: ${JSON.stringify(answer)}`).toBeGreaterThanOrEqual(500);
      failed[on].push(`${status} ${JSON.stringify(answer)}`);
      on = "b";
    }
    throw new Error(`${text} was not acknowledged after ${MAX_ATTEMPTS} tries: ${failed.b.slice(-3).join("; ")}`);
  }

  await Promise.all(
    SENDERS.map(async (sender, i) => {
      let on: "a" | "b" = sender.startsOn;
      for (let n = 1; n <= EACH; n++) on = await send(i, `${sender.label} #${n}`, on);
    }),
  );
  await killed;

  // The burst went as meant: A acknowledged some and then failed some, B took the rest.
  const all = acks.flat();
  expect(all).toHaveLength(SENDERS.length * EACH);
  expect(all.filter((k) => k.by === "a").length).toBeGreaterThan(0);
  expect(failed.a.length).toBeGreaterThan(0);
  expect(failed.b).toEqual([]);
  test.info().annotations.push({
    type: "burst",
    description: `A acknowledged ${all.filter((k) => k.by === "a").length}, B ${all.filter((k) => k.by === "b").length} (${all.filter((k) => k.status === 200).length} of them already stored); ${failed.a.length} sends to A failed: ${[...new Set(failed.a)].join(", ")}`,
  });

  // The tablet pulls the whole log from B, page by page until caught up.
  const tablet = await TabletApi.pair(b.url, home.setupCode);
  const log = await tablet.log();
  await tablet.dispose();
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  const messages = log.flatMap((e) => (e.kind === "message" ? [e.message] : []));
  expect(messages).toHaveLength(log.length);
  // Exactly once each: the same set, and as many entries as acknowledgements.
  expect(messages.map((m) => m.id).sort()).toEqual(all.map((k) => k.id).sort());
  // Where each acknowledgement said it was.
  expect(new Map(log.map((e) => [e.kind === "message" ? e.message.id : "", e.seq]))).toEqual(
    new Map(all.map((k) => [k.id, k.seq])),
  );
  // In each sender's order of acknowledgement.
  for (const [i, sender] of SENDERS.entries()) {
    const theirs = messages.filter((m) => m.senderName === sender.label).map((m) => m.id);
    expect(theirs, sender.label).toEqual(acks[i]?.map((k) => k.id));
  }
});
