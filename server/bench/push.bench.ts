/**
 * Push benchmark: how soon a family message reaches a tablet as a web push, on loopback.
 *
 * Three processes, so that none takes the others' event loop: this one sends the family messages;
 * the relay (push-bench-server.ts) is the real app on a fresh SQLite file with push pointed at a
 * local HTTPS receiver; the receiver (push-bench-receiver.ts, self-signed certificate) plays the
 * push service and the tablets' browsers, decrypting every push (aes128gcm, RFC 8291) as it
 * arrives. Times are taken on the machine's monotonic clock, the same in all three. Each household
 * is a resident with a family link and a paired tablet; half the tablets subscribe to push
 * through the API, half do not.
 *
 * Measures:
 *   - push.latency_p50_ms / _p99_ms   family message POST sent → push received and decrypted, at a
 *                                     steady BENCH_PUSH_RATE (default 200) messages/s for
 *                                     BENCH_PUSH_SECONDS (default 30), spread over the subscribed
 *                                     households (targets: p50 ≤ 10 ms, p99 ≤ 50 ms);
 *   - push.post_p50_ms / push.post_p50_no_push_ms and push.post_latency_ratio   the POST's own
 *                                     latency at the same rate to subscribed households and to
 *                                     households without subscriptions (so no push work at all),
 *                                     and the ratio (target ≤ 1.1). The runs without push are
 *                                     before and after the push run, half each, so a drift in the
 *                                     machine's speed does not favour either;
 *   - push.max_per_s                  the highest steady rate (stepping up from 200 messages/s by
 *                                     200, BENCH_PUSH_STEP_SECONDS each, default 3) that the relay
 *                                     keeps up with, one push per message: at least 95% of the
 *                                     messages get a push of their own (the rest are folded into a
 *                                     later one) and the push p50 stays ≤ 25 ms. A queue that
 *                                     falls behind shows in both at once; the p99 is printed for
 *                                     each step but not judged, since one stall of a busy machine
 *                                     decides it.
 *
 * Run: `node --import tsx bench/push.bench.ts` in server/ (BENCH_PUSH_SECONDS=10 for a quick run).
 *
 * Prints a table and writes the figures to bench-results.json at the repo root, replacing earlier
 * `push.*` entries and keeping other benchmarks'. Targets are reported, never asserted: the exit
 * code is non-zero only when the benchmark itself broke (a POST failed, a push did not decrypt or
 * never came, the relay logged a failed push).
 */
import { type ChildProcess, fork } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sentMessageSchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { z } from "zod";
import {
  type FromPushServer,
  type FromReceiver,
  type Household,
  hrNowMs,
  type PushServerStats,
  type ToPushServer,
  type ToReceiver,
} from "./push-protocol";
import { type Figure, printTable, writeResults } from "./results";

const here = path.dirname(fileURLToPath(import.meta.url));
const serverDir = path.resolve(here, "..");
const resultsFile = path.resolve(here, "../../bench-results.json");

/** A failure of the benchmark itself, as opposed to a missed target. */
class BenchBroken extends Error {}

const SECONDS = envNumber("BENCH_PUSH_SECONDS", 30);
const RATE = envNumber("BENCH_PUSH_RATE", 200);
const STEP_SECONDS = envNumber("BENCH_PUSH_STEP_SECONDS", 3);
const WARMUP_SECONDS = 3;
/** Per group (with push, without): enough that one tablet gets a message only every quarter second at 200/s. */
const HOUSEHOLDS = 50;
const STEP_MAX_P50_MS = 25;
const STEP_MIN_OWN_PUSH = 0.95;

const TARGETS = { p50Ms: 10, p99Ms: 50, postRatio: 1.1 };

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`push bench: ${name} must be a positive number, not "${raw}".`);
    process.exit(1);
  }
  return value;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

// The child processes ---------------------------------------------------------------------

/** A child process spoken to over IPC; messages of type "failed" end any wait with BenchBroken. */
class Child<From extends { type: string }, To> {
  constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
  ) {}

  static fork<From extends { type: string }, To>(name: string, file: string): Child<From, To> {
    const child = fork(path.join(here, file), [], {
      cwd: serverDir,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Child<From, To>(name, child);
  }

  send(message: To) {
    this.child.send(message as object);
  }

  next<T extends From["type"]>(type: T, timeoutMs = 10_000): Promise<Extract<From, { type: T }>> {
    const { child, name } = this;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      const onMessage = (message: From) => {
        if (message.type === type) {
          done();
          resolve(message as Extract<From, { type: T }>);
        } else if (message.type === "failed") {
          done();
          reject(new BenchBroken(`The ${name} failed: ${(message as { error?: string }).error}`));
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        reject(new BenchBroken(`The ${name} exited (${signal ?? `code ${code}`}) while waiting for "${type}".`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new BenchBroken(`The ${name} did not answer "${type}" within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      child.on("message", onMessage);
      child.on("exit", onExit);
    });
  }

  async request<T extends From["type"]>(message: To, type: T, timeoutMs?: number) {
    const reply = this.next(type, timeoutMs);
    this.send(message);
    return reply;
  }

  async stop(stopMessage: To): Promise<void> {
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    this.send(stopMessage);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  kill() {
    this.child.kill();
  }
}

type Relay = Child<FromPushServer, ToPushServer> & { url: string; households: Household[] };
type Receiver = Child<FromReceiver, ToReceiver>;

/** What the receiver decrypted so far, by resident: seq and time. */
class Deliveries {
  readonly byResident = new Map<string, { seq: number; at: number }[]>();
  connections = 0;
  count = 0;

  constructor(private readonly receiver: Receiver) {}

  async take(): Promise<void> {
    const delivered = await this.receiver.request({ type: "take" }, "delivered");
    this.connections = delivered.connections;
    for (const push of delivered.pushes) {
      if (push.error || !push.payload) throw new BenchBroken(`A push did not decrypt: ${push.error ?? "no payload"}`);
      if (push.payload.kind !== "message") throw new BenchBroken(`An unexpected ${push.payload.kind} push arrived.`);
      const list = this.byResident.get(push.payload.residentId) ?? [];
      list.push({ seq: push.payload.seq, at: push.at });
      this.byResident.set(push.payload.residentId, list);
      this.count++;
    }
  }

  clear() {
    this.byResident.clear();
    this.count = 0;
  }

  /**
   * Matches each message to its push: the one for the same resident and seq (or, if the relay
   * folded pushes together, the first later one).
   */
  match(sent: Sent[]): { latencies: number[]; missing: number; coalesced: number } {
    const result = { latencies: [] as number[], missing: 0, coalesced: 0 };
    for (const m of sent) {
      const pushes = this.byResident.get(m.residentId) ?? [];
      const exact = pushes.find((p) => p.seq === m.seq);
      const later = exact ?? pushes.filter((p) => p.seq > m.seq).sort((a, b) => a.seq - b.seq)[0];
      if (!later) {
        result.missing++;
        continue;
      }
      if (!exact) result.coalesced++;
      result.latencies.push(later.at - m.startedAt);
    }
    return result;
  }
}

// Load --------------------------------------------------------------------------------------

const client = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * POSTs JSON over a kept-alive socket. A socket the relay closed just as it was reused fails with
 * ECONNRESET before the request was read; that one is sent again (the message id makes it safe).
 */
async function postJson(url: string, token: string, body: unknown): Promise<{ status: number; text: string }> {
  try {
    return await postOnce(url, token, body);
  } catch (err) {
    if ((err as { reused?: boolean }).reused && (err as { code?: string }).code === "ECONNRESET")
      return postOnce(url, token, body);
    throw err;
  }
}

function postOnce(url: string, token: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: "POST",
        agent: client,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", (err) => reject(Object.assign(err, { reused: req.reusedSocket })));
    req.end(payload);
  });
}

type Sent = { residentId: string; seq: number; startedAt: number; postMs: number };

const sentSchema = z.object({ message: sentMessageSchema });

async function sendMessage(relay: Relay, household: Household, text: string): Promise<Sent> {
  const startedAt = hrNowMs();
  const res = await postJson(`${relay.url}/api/family/messages`, household.familyToken, { id: uuidv7(), text });
  const postMs = hrNowMs() - startedAt;
  // 200: a resend of one the relay had already stored (see postJson).
  if (res.status !== 201 && res.status !== 200)
    throw new BenchBroken(`A family message POST answered ${res.status}: ${res.text}`);
  return { residentId: household.residentId, seq: sentSchema.parse(JSON.parse(res.text)).message.seq, startedAt, postMs };
}

/**
 * Sends at a steady rate (open loop: each POST at its time, whether the previous one has answered
 * or not), round-robin over the households. Returns the messages and the rate actually achieved.
 */
async function steady(relay: Relay, households: Household[], rate: number, seconds: number) {
  const total = Math.max(2, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const startAt = hrNowMs() + 10;
  const inFlight: Promise<Sent>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = startAt + i * interval - hrNowMs();
    if (wait >= 1) await sleep(wait);
    const household = households[i % households.length] as Household;
    const sending = sendMessage(relay, household, "Hello Mum, just thinking of you. See you on Sunday!");
    // Awaited below; until then a failure must not count as unhandled.
    sending.catch(() => {});
    inFlight.push(sending);
  }
  const lastSentAt = hrNowMs();
  const sent = await Promise.all(inFlight);
  return { sent, achievedRate: (total - 1) / ((lastSentAt - startAt) / 1000) };
}

/** Waits until the relay has nothing left to send and every message has its push (or a later one). */
async function drained(relay: Relay, deliveries: Deliveries, sent: Sent[], timeoutMs = 15_000) {
  const deadline = hrNowMs() + timeoutMs;
  for (;;) {
    const stats = await relay.request({ type: "stats" }, "stats");
    await deliveries.take();
    const idle = stats.queued === 0 && stats.inFlight === 0 && stats.waitingRetries === 0;
    const missing = deliveries.match(sent).missing;
    if (idle && missing === 0) return stats;
    if (hrNowMs() > deadline) {
      throw new BenchBroken(
        `${missing} of ${sent.length} messages got no push within ${timeoutMs / 1000} s ` +
          `(queued ${stats.queued}, in flight ${stats.inFlight}, retries waiting ${stats.waitingRetries}).`,
      );
    }
    await sleep(50);
  }
}

function checkRelayLog(stats: PushServerStats) {
  const bad = Object.entries(stats.events).filter(
    ([event]) => event !== "push.tablet_subscribed" && event !== "push.vapid_keys_created",
  );
  if (bad.length > 0) throw new BenchBroken(`The relay logged ${bad.map(([e, n]) => `${e} ×${n}`).join(", ")}.`);
}

async function subscribeAll(relay: Relay, receiver: Receiver, households: Household[]) {
  const { subscriptions } = await receiver.request({ type: "subscribe", count: households.length }, "subscribed");
  for (const [i, h] of households.entries()) {
    const res = await postJson(`${relay.url}/api/tablet/push`, h.deviceToken, { subscription: subscriptions[i] });
    if (res.status !== 200) throw new BenchBroken(`Subscribing a tablet answered ${res.status}: ${res.text}`);
  }
}

// Report ------------------------------------------------------------------------------------

const ms = (values: number[], q: number) => round(percentile(values, q), 2);

// Main --------------------------------------------------------------------------------------

async function startRelay(receiverInfo: { origin: string; cert: string }): Promise<Relay> {
  const child = Child.fork<FromPushServer, ToPushServer>("relay process", "push-bench-server.ts");
  try {
    const ready = await child.request(
      { type: "config", receiverOrigin: receiverInfo.origin, receiverCert: receiverInfo.cert, households: HOUSEHOLDS * 2 },
      "ready",
      120_000,
    );
    return Object.assign(child, { url: `http://127.0.0.1:${ready.relayPort}`, households: ready.households });
  } catch (err) {
    child.kill();
    throw err;
  }
}

async function main() {
  console.error(
    `push bench: ${RATE} messages/s for ${SECONDS} s with push and ${SECONDS} s without, then steps of ${STEP_SECONDS} s; ` +
      `${os.availableParallelism()} CPUs, Node ${process.versions.node}`,
  );
  const [load1 = 0] = os.loadavg();
  if (load1 > 0.5) console.error(`  note: load average is ${load1.toFixed(2)} before starting; other processes are busy`);

  const receiver: Receiver = Child.fork<FromReceiver, ToReceiver>("push receiver", "push-bench-receiver.ts");
  let relay: Relay | undefined;
  try {
    const receiverInfo = await receiver.next("ready", 60_000);
    relay = await startRelay(receiverInfo);
    const deliveries = new Deliveries(receiver);
    const withPush = relay.households.slice(0, HOUSEHOLDS);
    const withoutPush = relay.households.slice(HOUSEHOLDS);
    await subscribeAll(relay, receiver, withPush);

    // Warm-up: both paths, results dropped.
    const warm = await steady(relay, withPush, RATE, WARMUP_SECONDS / 2);
    await steady(relay, withoutPush, RATE, WARMUP_SECONDS / 2);
    await drained(relay, deliveries, warm.sent);
    deliveries.clear();

    // Without push, first half; with push; without push, second half.
    const before = await steady(relay, withoutPush, RATE, SECONDS / 2);
    const pushed = await steady(relay, withPush, RATE, SECONDS);
    const stats = await drained(relay, deliveries, pushed.sent);
    checkRelayLog(stats);
    const delivery = deliveries.match(pushed.sent);
    const pushesSoFar = deliveries.count;
    deliveries.clear();
    const after = await steady(relay, withoutPush, RATE, SECONDS / 2);
    await deliveries.take();
    if (deliveries.count > 0) throw new BenchBroken("A push arrived for a tablet that never subscribed.");

    const postWith = pushed.sent.map((s) => s.postMs);
    const postWithout = [...before.sent, ...after.sent].map((s) => s.postMs);
    console.error(
      `  with push:    ${pushed.sent.length} messages at ${pushed.achievedRate.toFixed(1)}/s, ${pushesSoFar} pushes; ` +
        `push p50 ${ms(delivery.latencies, 0.5)} ms, p99 ${ms(delivery.latencies, 0.99)} ms, max ${ms(delivery.latencies, 1)} ms; ` +
        `${delivery.coalesced} folded into a later push; POST p50 ${ms(postWith, 0.5)} ms, p99 ${ms(postWith, 0.99)} ms; ` +
        `${deliveries.connections} TLS connections in all`,
    );
    console.error(
      `  without push: ${postWithout.length} messages at ${before.achievedRate.toFixed(1)}/s and ${after.achievedRate.toFixed(1)}/s; ` +
        `POST p50 ${ms(postWithout, 0.5)} ms, p99 ${ms(postWithout, 0.99)} ms`,
    );

    // Step the rate up until a push per message can no longer be kept up.
    let sustained = 0;
    for (let rate = 200; ; rate += rate < 2000 ? 200 : 400) {
      deliveries.clear();
      const step = await steady(relay, withPush, rate, STEP_SECONDS);
      const stepStats = await drained(relay, deliveries, step.sent, 60_000);
      checkRelayLog(stepStats);
      const d = deliveries.match(step.sent);
      const p99 = percentile(d.latencies, 0.99);
      const ownPush = 1 - d.coalesced / step.sent.length;
      const kept = ownPush >= STEP_MIN_OWN_PUSH && percentile(d.latencies, 0.5) <= STEP_MAX_P50_MS;
      const generatorKept = step.achievedRate >= rate * 0.95;
      console.error(
        `  step ${String(rate).padStart(5)}/s: sent at ${step.achievedRate.toFixed(0)}/s, ${(ownPush * 100).toFixed(1)}% got their own push, ` +
          `push p50 ${ms(d.latencies, 0.5)} ms p99 ${round(p99, 1)} ms, ${stepStats.dropped} dropped in all → ` +
          `${kept && generatorKept ? "kept up" : "not kept up"}`,
      );
      if (!kept) break;
      if (!generatorKept) {
        console.error("  (the load generator could not send faster; the relay's limit is higher)");
        sustained = Math.round(step.achievedRate);
        break;
      }
      sustained = rate;
    }

    const ratio = percentile(postWith, 0.5) / percentile(postWithout, 0.5);
    const rows: Figure[] = [
      { name: "push.latency_p50_ms", value: ms(delivery.latencies, 0.5), unit: "ms", budget: TARGETS.p50Ms },
      { name: "push.latency_p99_ms", value: ms(delivery.latencies, 0.99), unit: "ms", budget: TARGETS.p99Ms },
      { name: "push.max_per_s", value: sustained, unit: "push/s", budget: null },
      { name: "push.post_p50_ms", value: ms(postWith, 0.5), unit: "ms", budget: null },
      { name: "push.post_p50_no_push_ms", value: ms(postWithout, 0.5), unit: "ms", budget: null },
      { name: "push.post_latency_ratio", value: round(ratio, 3), unit: "ratio", budget: TARGETS.postRatio },
    ];
    console.error("");
    printTable(rows);
    writeResults("push.", rows);
    console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  } finally {
    await relay?.stop({ type: "stop" });
    await receiver.stop({ type: "stop" });
    client.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchBroken ? `push bench broke: ${err.message}` : err);
  process.exitCode = 1;
});
