import type { StaffLoginRequest, StaffSetupRequest } from "@letterbox/shared";
import { test as base, expect, request } from "@playwright/test";
import { SEED_STAFF, StaffApi } from "./api";
import { type FirstRelay, startRelay } from "./relay";

// Overridable so that two runs on one machine do not fight over ports.
let nextPort = Number(process.env.LETTERBOX_E2E_SEEDED_PORT ?? 8300);
const setUpRelays = new WeakSet<FirstRelay>();

/**
 * `seeded`: a relay apart from the journey's (fresh data folder, shared by the specs of one
 * worker) with a signed-in staff API; each test makes its own household, so tests do not depend
 * on each other's data. `baseURL` points at that relay.
 */
export const test = base.extend<{ seeded: StaffApi }, { ownRelay: FirstRelay }>({
  ownRelay: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as the first argument.
    async ({}, use) => {
      const relay = await startRelay(nextPort++);
      await use(relay);
      await relay.stop();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ ownRelay }, use) => use(ownRelay.url),
  seeded: async ({ ownRelay }, use) => {
    const api = await request.newContext({ baseURL: ownRelay.url });
    const token = new URL(ownRelay.setupLink).hash.replace("#setup=", "");
    // The set-up link works once: trying it again on every test would count as a failed guess from
    // this address, and after five the relay refuses invitation links too (same limiter key).
    const first: StaffSetupRequest = { token, ...SEED_STAFF };
    const setup = setUpRelays.has(ownRelay) ? undefined : await api.post("/api/staff/setup", { data: first });
    setUpRelays.add(ownRelay);
    if (setup?.status() !== 201) {
      const signIn: StaffLoginRequest = { email: SEED_STAFF.email, password: SEED_STAFF.password };
      const login = await api.post("/api/staff/login", { data: signIn });
      expect(login.status(), await login.text()).toBe(200);
    }
    await use(new StaffApi(ownRelay, api));
    await api.dispose();
  },
});

export { expect };
