import { FAILED_ATTEMPTS, SETUP_CODE } from "@letterbox/shared";
import { describe, it } from "vitest";
import { createApp } from "../app";
import { FixedClock } from "../clock";
import { silentLogger } from "../log";
import { type Engine, engines } from "../test-databases";
import { expectError, openTestDatabase, START } from "../test-support";

const PROXY = "10.0.0.2";
const WRONG_CODE = SETUP_CODE.alphabet.slice(0, 1).repeat(SETUP_CODE.length);

/** A relay whose pairing budget (five wrong set-up codes per address) shows which address it saw. */
async function relayTrusting(engine: Engine, trustProxy: string[]) {
  const { store, photos } = await openTestDatabase({ engine });
  const app = createApp({
    store,
    photos,
    clock: new FixedClock(START),
    log: silentLogger,
    publicUrl: "http://localhost:8080",
    secureCookies: false,
    trustProxy,
  });
  /** A wrong set-up code from the TCP peer `peer`, with the headers it sends. */
  return (peer: string, headers: Record<string, string> = {}) =>
    Promise.resolve(
      app.request(
        "/api/tablet/pair",
        {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: JSON.stringify({ code: WRONG_CODE }),
        },
        { incoming: { socket: { remoteAddress: peer } } },
      ),
    );
}

async function useUpBudget(tryPair: () => Promise<Response>) {
  for (let i = 0; i < FAILED_ATTEMPTS.max; i++) await expectError(await tryPair(), 400, "setup_code_invalid");
  await expectError(await tryPair(), 429, "too_many_attempts");
}

describe.each(engines)("the client address behind a reverse proxy, records on $name", (engine) => {
  it("gives two clients behind a trusted proxy their own budgets", async () => {
    const pair = await relayTrusting(engine, [PROXY]);
    await useUpBudget(() => pair(PROXY, { "X-Forwarded-For": "203.0.113.7" }));
    await expectError(await pair(PROXY, { "X-Forwarded-For": "198.51.100.9" }), 400, "setup_code_invalid");
  });

  it("takes the right-most address that is not a trusted proxy, whatever the client put before it", async () => {
    const pair = await relayTrusting(engine, ["10.0.0.0/24", "fd00::/8"]);
    // The client forges addresses on the left; its own address (appended by the outer proxy) and
    // the inner proxy's follow.
    await useUpBudget(() => pair(PROXY, { "X-Forwarded-For": "192.0.2.1, 203.0.113.7, fd00::5" }));
    await expectError(await pair(PROXY, { "X-Forwarded-For": "1.2.3.4, 203.0.113.7" }), 429, "too_many_attempts");
    await expectError(await pair("fd00::1", { "X-Forwarded-For": "203.0.113.7" }), 429, "too_many_attempts");
    await expectError(await pair(PROXY, { "X-Forwarded-For": "203.0.113.8" }), 400, "setup_code_invalid");
  });

  it("ignores forwarded headers from a peer that is not trusted, so spoofing them does nothing", async () => {
    for (const trust of [[], ["10.0.0.0/24"]]) {
      const pair = await relayTrusting(engine, trust);
      let n = 0;
      const spoofed = () =>
        pair("198.51.100.20", { "X-Forwarded-For": `203.0.113.${n++}`, Forwarded: `for=192.0.2.${n}`, "X-Real-IP": "192.0.2.1" });
      await useUpBudget(spoofed);
      await expectError(await pair("198.51.100.20"), 429, "too_many_attempts");
    }
  });

  it("shares one budget between everyone behind a proxy that is not trusted", async () => {
    const pair = await relayTrusting(engine, []);
    await useUpBudget(() => pair(PROXY, { "X-Forwarded-For": "203.0.113.7" }));
    await expectError(await pair(PROXY, { "X-Forwarded-For": "198.51.100.9" }), 429, "too_many_attempts");
  });

  it("does not believe Forwarded (RFC 7239) even from a trusted proxy", async () => {
    const pair = await relayTrusting(engine, [PROXY]);
    let n = 0;
    await useUpBudget(() => pair(PROXY, { "X-Forwarded-For": "203.0.113.7", Forwarded: `for=192.0.2.${n++}` }));
  });
});
