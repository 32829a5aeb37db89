import { isIPv4, isIPv6 } from "node:net";
import type { Clock } from "../clock";
import type { CounterChanges, LimitStore } from "../db/stores/limit-store";
import { type Attempt, settleOnce, tooManyAttempts } from "./failure-limiter";

/** A budget of tries that recovers one try every `recoverMs`. */
type Budget = { tries: number; recoverMs: number };

/**
 * Staff sign-in slows guessing down without letting anyone lock staff out (OWASP Authentication
 * Cheat Sheet, "Login Throttling"): budgets by account and by address that recover on their own,
 * instead of a lock. Every budget that applies gives up one try when the try starts, before the
 * password is hashed, so tries sent in parallel cannot all be evaluated.
 */
export const SIGN_IN_BUDGETS = {
  /** One person at one place: five tries, then one a minute. A success starts it afresh. */
  accountFromAddress: { tries: 5, recoverMs: 60_000 },
  /**
   * One address, whichever accounts it tries (password spraying). Generous because a care home or
   * council office signs in from one address; a success gives back only its own try, so a
   * colleague's sign-in cannot wipe an attacker's failures on the same address.
   */
  address: { tries: 20, recoverMs: 30_000 },
  /**
   * One account, from addresses that are failing on it (three wrong passwords for it there within
   * the hour): an attacker at a few addresses.
   */
  accountFromFailingAddresses: { tries: 10, recoverMs: 5 * 60_000 },
  /**
   * One account, the first try from each address that has not failed on it within the hour. The
   * owner at a clean address draws on this one, not on the attacker's, so an attack from
   * elsewhere cannot keep them out, and a right password costs it nothing. What it bounds is a
   * botnet trying from ever new addresses: 20 of them, then 20 an hour. The second and third try
   * from an address (a typo or two) draw on no account budget.
   */
  accountFromCleanAddresses: { tries: 20, recoverMs: 3 * 60_000 },
} satisfies Record<string, Budget>;

/** An address is failing on an account after this many wrong passwords for it within the hour. */
export const FAILING = { failures: 3, windowMs: 60 * 60_000 };

/** A budget's tries in use as of `at`; they recover continuously. */
type Used = { used: number; at: number };
/** The recent wrong passwords for an account from an address (the last few only). */
type Failures = number[];

/**
 * The budgets live in the database (a LimitStore), so every relay instance draws on the same ones.
 * A budget that has fully recovered, and failures older than the hour, are forgotten.
 */
export class SignInThrottle {
  constructor(
    private readonly counters: LimitStore,
    private readonly clock: Clock,
  ) {}

  /** Takes a try from each budget that applies, or throws `too_many_attempts` with how long to wait. */
  async reserve(email: string, address: string): Promise<Attempt> {
    const now = this.clock.now().getTime();
    const from = addressGroup(address);
    const pairKey = `${email} ${from}`;
    const key = {
      pair: `sign-in/pair:${pairKey}`,
      from: `sign-in/from:${from}`,
      clean: `sign-in/clean:${email}`,
      failing: `sign-in/failing:${email}`,
      failures: `sign-in/failures:${pairKey}`,
    };
    const budgets = await this.counters.change<Used | Failures, [string, Budget][]>(Object.values(key), iso(now), (current) => {
      const failures = ((current.get(key.failures) as Failures | undefined) ?? []).filter(
        (t) => now - t < FAILING.windowMs,
      ).length;
      const budgets: [string, Budget][] = [
        [key.pair, SIGN_IN_BUDGETS.accountFromAddress],
        [key.from, SIGN_IN_BUDGETS.address],
      ];
      if (failures === 0) budgets.push([key.clean, SIGN_IN_BUDGETS.accountFromCleanAddresses]);
      if (failures >= FAILING.failures) budgets.push([key.failing, SIGN_IN_BUDGETS.accountFromFailingAddresses]);

      let waitMs = 0;
      for (const [k, budget] of budgets) {
        const over = usedNow(current.get(k) as Used | undefined, budget, now) - (budget.tries - 1);
        if (over > 0) waitMs = Math.max(waitMs, over * budget.recoverMs);
      }
      if (waitMs > 0) throw tooManyAttempts(waitMs);
      const changes: CounterChanges<Used | Failures> = new Map();
      for (const [k, budget] of budgets) {
        changes.set(k, spent(usedNow(current.get(k) as Used | undefined, budget, now) + 1, now, budget));
      }
      return { changes, result: budgets };
    });

    /** Gives one try back to each budget, as of now. */
    const giveBack = (keys: [string, Budget][], also: CounterChanges<Used | Failures> = new Map()) => {
      const at = this.clock.now().getTime();
      return this.counters.change<Used | Failures, void>([...keys.map(([k]) => k), ...also.keys()], iso(at), (current) => {
        const changes = new Map(also);
        for (const [k, budget] of keys)
          changes.set(k, spent(usedNow(current.get(k) as Used | undefined, budget, at) - 1, at, budget));
        return { changes, result: undefined };
      });
    };
    return settleOnce({
      failed: () =>
        this.counters.change<Used | Failures, void>([key.failures], iso(this.clock.now().getTime()), (current) => {
          const times = [...((current.get(key.failures) as Failures | undefined) ?? []), now].slice(-FAILING.failures);
          const expiresAt = iso(Math.max(...times) + FAILING.windowMs);
          return { changes: new Map([[key.failures, { value: times, expiresAt }]]), result: undefined };
        }),
      // A success starts this person's budget here afresh, and gives back only its own try to the others.
      succeeded: () =>
        giveBack(
          budgets.filter(([k]) => k !== key.pair),
          new Map([
            [key.pair, undefined],
            [key.failures, undefined],
          ]),
        ),
      release: () => giveBack(budgets),
    });
  }
}

function usedNow(entry: Used | undefined, budget: Budget, now: number): number {
  if (!entry) return 0;
  return Math.max(0, entry.used - Math.max(0, now - entry.at) / budget.recoverMs);
}

/** The counter for `used` tries as of `at`, kept until they have all recovered; none when nothing is used. */
function spent(used: number, at: number, budget: Budget) {
  return used > 0 ? { value: { used, at }, expiresAt: iso(at + used * budget.recoverMs) } : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The unit an address is counted by: an IPv4 address, or the /64 network of an IPv6 one (one
 * household or phone gets a whole /64, so counting single IPv6 addresses would count nothing).
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  const [head = "", tail] = address.toLowerCase().split("::");
  const groups = (part: string) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array(Math.max(0, 8 - front.length - back.length)).fill("0"), ...back];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
