import { describe, expect, it } from "vitest";
import { FixedClock } from "../clock";
import { AppError } from "../errors";
import { type Engine, engines } from "../test-databases";
import { openTestDatabase, START } from "../test-support";
import { addressGroup, SIGN_IN_BUDGETS, SignInThrottle } from "./sign-in-throttle";

const EMAIL = "priya.shah@council.example";

/** A throttle on a real database, as the relay runs it. */
async function throttleAt(engine: Engine, clock = new FixedClock(START)) {
  const { store } = await openTestDatabase({ engine });
  return new SignInThrottle(store.limits, clock);
}

async function refusal(throttle: SignInThrottle, email: string, address: string): Promise<AppError | undefined> {
  try {
    await (await throttle.reserve(email, address)).release();
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

describe.each(engines)("SignInThrottle on $name", (engine) => {
  it("bounds first tries from ever new addresses (a botnet) by the account's budget for clean addresses", async () => {
    const clock = new FixedClock(START);
    const throttle = await throttleAt(engine, clock);
    const { accountFromCleanAddresses: clean } = SIGN_IN_BUDGETS;
    for (let i = 0; i < clean.tries; i++) await (await throttle.reserve(EMAIL, `10.0.${i >> 8}.${i & 255}`)).failed();
    const refused = await refusal(throttle, EMAIL, "10.9.9.9");
    expect(refused?.code).toBe("too_many_attempts");
    expect(refused?.retryAfterSeconds).toBe(clean.recoverMs / 1000);
    // Another account is not touched by it.
    expect(await refusal(throttle, "owen.pritchard@council.example", "10.9.9.9")).toBeUndefined();
    clock.advanceMinutes(clean.recoverMs / 60_000);
    expect(await refusal(throttle, EMAIL, "10.9.9.9")).toBeUndefined();
  });

  it("costs the account nothing for a right password", async () => {
    const throttle = await throttleAt(engine);
    for (let i = 0; i < 100; i++) await (await throttle.reserve(EMAIL, `10.1.0.${i}`)).succeeded();
    expect(await refusal(throttle, EMAIL, "10.2.0.1")).toBeUndefined();
  });

  it("counts an IPv6 address by its /64, and an IPv4-mapped one as IPv4", async () => {
    const throttle = await throttleAt(engine);
    const { accountFromAddress } = SIGN_IN_BUDGETS;
    for (let i = 0; i < accountFromAddress.tries; i++) await (await throttle.reserve(EMAIL, `2001:db8:1:2::${i + 1}`)).failed();
    expect((await refusal(throttle, EMAIL, "2001:db8:1:2:ffff:1:2:3"))?.code).toBe("too_many_attempts");
    expect(await refusal(throttle, EMAIL, "2001:db8:1:3::1")).toBeUndefined();
  });
});

describe("addressGroup", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["unknown", "unknown"],
  ])("%s is counted as %s", (address, group) => {
    expect(addressGroup(address)).toBe(group);
  });
});
