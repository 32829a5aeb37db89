import { isIPv4, isIPv6 } from "node:net";
import type { Clock } from "../clock";
import type { Attempt } from "./failure-limiter";
import { tooManyAttempts } from "./failure-limiter";

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

/** Past this many tracked keys, fully recovered ones are forgotten (attackers choose the keys). */
const SWEEP_ABOVE = 10_000;

type Used = { used: number; at: number };

export class SignInThrottle {
  /** Tries in use per budget key, as of `at`; a key that has fully recovered is absent. */
  private readonly spent = new Map<string, Used>();
  /** Recent failures of an account from an address (the last few only). */
  private readonly failuresFrom = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Takes a try from each budget that applies, or throws `too_many_attempts` with how long to wait. */
  reserve(email: string, address: string): Attempt {
    const now = this.clock.now().getTime();
    if (this.spent.size + this.failuresFrom.size > SWEEP_ABOVE) this.sweep(now);
    const from = addressGroup(address);
    const pairKey = `${email} ${from}`;
    const failures = (this.failuresFrom.get(pairKey) ?? []).filter((t) => now - t < FAILING.windowMs).length;
    const budgets: [string, Budget][] = [
      [`pair:${pairKey}`, SIGN_IN_BUDGETS.accountFromAddress],
      [`from:${from}`, SIGN_IN_BUDGETS.address],
    ];
    if (failures === 0) budgets.push([`clean:${email}`, SIGN_IN_BUDGETS.accountFromCleanAddresses]);
    if (failures >= FAILING.failures) budgets.push([`failing:${email}`, SIGN_IN_BUDGETS.accountFromFailingAddresses]);

    let waitMs = 0;
    for (const [key, budget] of budgets) {
      const over = this.usedNow(key, budget, now) - (budget.tries - 1);
      if (over > 0) waitMs = Math.max(waitMs, over * budget.recoverMs);
    }
    if (waitMs > 0) throw tooManyAttempts(waitMs);
    for (const [key, budget] of budgets) this.spent.set(key, { used: this.usedNow(key, budget, now) + 1, at: now });

    let settled = false;
    const giveBack = (keys: [string, Budget][]) => {
      const at = this.clock.now().getTime();
      for (const [key, budget] of keys) {
        const used = this.usedNow(key, budget, at) - 1;
        if (used > 0) this.spent.set(key, { used, at });
        else this.spent.delete(key);
      }
    };
    return {
      failed: () => {
        if (settled) return;
        settled = true;
        this.failuresFrom.set(pairKey, [...(this.failuresFrom.get(pairKey) ?? []), now].slice(-FAILING.failures));
      },
      succeeded: () => {
        if (settled) return;
        settled = true;
        this.spent.delete(`pair:${pairKey}`);
        this.failuresFrom.delete(pairKey);
        giveBack(budgets.slice(1));
      },
      release: () => {
        if (settled) return;
        settled = true;
        giveBack(budgets);
      },
    };
  }

  private usedNow(key: string, budget: Budget, now: number): number {
    const entry = this.spent.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.used - Math.max(0, now - entry.at) / budget.recoverMs);
  }

  private sweep(now: number) {
    const slowest = Math.max(...Object.values(SIGN_IN_BUDGETS).map((b) => b.tries * b.recoverMs));
    for (const [key, { at }] of this.spent) if (now - at >= slowest) this.spent.delete(key);
    for (const [key, times] of this.failuresFrom)
      if (times.every((t) => now - t >= FAILING.windowMs)) this.failuresFrom.delete(key);
  }
}

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
