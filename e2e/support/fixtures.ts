import { type APIRequestContext, test as base, expect, request } from "@playwright/test";
import { type RunningRelay, startRelay } from "./relay";

export const SEED_STAFF = { name: "Seed Officer", email: "seed.officer@council.example", password: "seed officer password 1" };
// Overridable so that two runs on one machine do not fight over ports.
let nextPort = Number(process.env.LETTERBOX_E2E_SEEDED_PORT ?? 8300);
const setUpRelays = new WeakSet<RunningRelay>();

export type Household = {
  residentId: string;
  /** `…/family#<token>` */
  familyLink: string;
  familyToken: string;
  setupCode: string;
};

/** Staff actions through the API, for tests whose subject is not the staff console. */
export class StaffApi {
  constructor(
    readonly relay: RunningRelay,
    readonly api: APIRequestContext,
  ) {}

  async post<T>(path: string, data?: unknown): Promise<T> {
    const res = await this.api.post(`/api/staff${path}`, { data: data ?? {} });
    expect(res.status(), await res.text()).toBeLessThan(300);
    return (await res.json()) as T;
  }

  async patch<T>(path: string, data: unknown): Promise<T> {
    const res = await this.api.patch(`/api/staff${path}`, { data });
    expect(res.status(), await res.text()).toBeLessThan(300);
    return (await res.json()) as T;
  }

  async resident(fullName: string, preferredName: string): Promise<string> {
    return (await this.post<{ resident: { id: string } }>("/residents", { fullName, preferredName })).resident.id;
  }

  async familyLink(residentId: string, label: string, relationship?: string): Promise<{ url: string; token: string }> {
    const { link } = await this.post<{ link: { url: string } }>(`/residents/${residentId}/family-links`, { label, relationship });
    return { url: link.url, token: link.url.split("#")[1] ?? "" };
  }

  async setupCode(residentId: string): Promise<string> {
    return (await this.post<{ setupCode: { code: string } }>(`/residents/${residentId}/setup-codes`)).setupCode.code;
  }

  /** A resident with one family member and an unused tablet set-up code. */
  async household(preferredName = "Margaret", label = "Sarah (daughter)"): Promise<Household> {
    const residentId = await this.resident(`${preferredName} Jones`, preferredName);
    const link = await this.familyLink(residentId, label);
    return { residentId, familyLink: link.url, familyToken: link.token, setupCode: await this.setupCode(residentId) };
  }
}

/**
 * `seeded`: a relay apart from the journey's (fresh data folder, shared by the specs of one
 * worker) with a signed-in staff API; each test makes its own household, so tests do not depend
 * on each other's data. `baseURL` points at that relay.
 */
export const test = base.extend<{ seeded: StaffApi }, { ownRelay: RunningRelay }>({
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
    const setup = setUpRelays.has(ownRelay) ? undefined : await api.post("/api/staff/setup", { data: { token, ...SEED_STAFF } });
    setUpRelays.add(ownRelay);
    if (setup?.status() !== 201) {
      const login = await api.post("/api/staff/login", { data: { email: SEED_STAFF.email, password: SEED_STAFF.password } });
      expect(login.status(), await login.text()).toBe(200);
    }
    await use(new StaffApi(ownRelay, api));
    await api.dispose();
  },
});

export { expect };
