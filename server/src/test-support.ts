/**
 * Helpers for the relay's tests: a real relay on a fresh SQLite file in a temp folder, a fixed
 * clock, and the staff, tablet and family steps that most tests need before they can start.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type CreatedFamilyLink,
  createdFamilyLinkSchema,
  type ErrorCode,
  errorBodySchema,
  pairResponseSchema,
  type Resident,
  residentSchema,
  type SentMessage,
  type SetupCode,
  type SyncPage,
  sentMessageSchema,
  setupCodeSchema,
  staffMemberSchema,
  syncPageSchema,
} from "@letterbox/shared";
import SQLite from "better-sqlite3";
import { uuidv7 } from "uuidv7";
import { expect, onTestFinished } from "vitest";
import { z } from "zod";
import { createApp, createServices } from "./app";
import { FixedClock } from "./clock";
import { loadConfig } from "./config";
import { openDataFolder } from "./data-folder";
import type { Database } from "./db/schema";
import { silentLogger } from "./log";

export const START = new Date("2026-11-28T10:00:00Z");

export const STAFF = { name: "Priya Shah", email: "priya.shah@council.example", password: "correct horse battery staple" };

type RequestOptions = {
  method?: string;
  /** Sent as JSON with the right Content-Type. */
  json?: unknown;
  /** Sent as it is, for bodies that are meant to be wrong. */
  body?: string;
  headers?: Record<string, string>;
  bearer?: string;
  cookie?: string;
  /** The peer address the rate limits see; without it every request shares one. */
  from?: string;
};

/**
 * A fresh database file in its own temp folder, closed and deleted when the current test
 * finishes. Call it inside a test.
 */
export async function openTestDatabase() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-test-"));
  const { db, store, photos } = await openDataFolder(dataDir);
  onTestFinished(async () => {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { db, store, photos, dataDir, dbFile: path.join(dataDir, "letterbox.sqlite") };
}

export type Relay = Awaited<ReturnType<typeof startRelay>>;

/** Starts a relay on its own database (see openTestDatabase), with the clock fixed at START. */
export async function startRelay(opts: { publicUrl?: string } = {}) {
  const { db, store, photos, dataDir, dbFile } = await openTestDatabase();
  // The real configuration decides publicUrl and secureCookies, as it does in main.ts.
  const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: opts.publicUrl ?? "http://localhost:8080" });
  const clock = new FixedClock(START);
  const deps = { store, photos, clock, log: silentLogger, publicUrl: config.publicUrl, secureCookies: config.secureCookies };
  const services = createServices(deps);
  const app = createApp(deps, services);

  function request(urlPath: string, o: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(o.headers);
    if (o.json !== undefined) headers.set("Content-Type", "application/json");
    if (o.bearer !== undefined) headers.set("Authorization", `Bearer ${o.bearer}`);
    if (o.cookie !== undefined) headers.set("Cookie", o.cookie);
    const body = o.json !== undefined ? JSON.stringify(o.json) : o.body;
    const method = o.method ?? (body === undefined ? "GET" : "POST");
    const env = o.from ? { incoming: { socket: { remoteAddress: o.from } } } : undefined;
    return Promise.resolve(app.request(urlPath, { method, headers, body }, env));
  }

  return { app, clock, db, store, services, dataDir, dbFile, publicUrl: config.publicUrl, request };
}

// Responses ---------------------------------------------------------------------------------

/** Reads a response that must have `status`, checked against the shared schema. */
export async function expectBody<T>(res: Response, status: number, schema: z.ZodType<T>): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`Expected HTTP ${status}, got ${res.status}: ${text}`);
  return schema.parse(JSON.parse(text));
}

/**
 * An error must be the JSON error body with the code's status and a message written for a person:
 * a sentence, not a stack trace or zod's wording.
 */
export async function expectError(res: Response, status: number, code: ErrorCode): Promise<string> {
  const { error } = await expectBody(res, status, errorBodySchema);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(/^[A-Z“].*\.$/s);
  expect(error.message).not.toMatch(/undefined|NaN|\[object|Invalid input|expected \w+|[<>]=|“”/);
  return error.message;
}

/** The value of a cookie set by a response, and the whole Set-Cookie line for its attributes. */
export function cookieSetBy(res: Response, name: string): { value: string; line: string } | undefined {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  if (!line) return undefined;
  return { value: line.slice(name.length + 1).split(";")[0] ?? "", line };
}

// Staff -------------------------------------------------------------------------------------

export const SESSION_COOKIE = "letterbox_staff";

/** The token of the one-time link printed at first start. */
export async function firstStaffSetupToken(relay: Relay): Promise<string> {
  const link = await relay.services.staff.issueFirstStaffLink();
  const token = link?.match(/#setup=([A-Za-z0-9_-]{43})$/)?.[1];
  if (!token) throw new Error(`No set-up link was issued: ${link}`);
  return token;
}

/** Creates the first staff account through its set-up link and returns that signed-in member. */
export async function firstStaff(relay: Relay, who = STAFF): Promise<StaffClient> {
  const token = await firstStaffSetupToken(relay);
  const res = await relay.request("/api/staff/setup", { json: { token, ...who } });
  const session = cookieSetBy(res, SESSION_COOKIE);
  await expectBody(res, 201, z.object({ staff: staffMemberSchema }));
  if (!session) throw new Error("Set-up did not start a session");
  return new StaffClient(relay, `${SESSION_COOKIE}=${session.value}`);
}

export function signIn(relay: Relay, email: string, password: string, from?: string) {
  return relay.request("/api/staff/login", { json: { email, password }, from });
}

/** A signed-in staff member: the session cookie and the console's steps. */
export class StaffClient {
  constructor(
    private readonly relay: Relay,
    readonly cookie: string,
  ) {}

  request(urlPath: string, o: RequestOptions = {}) {
    return this.relay.request(`/api/staff${urlPath}`, { cookie: this.cookie, ...o });
  }

  async createResident(preferredName: string, fullName = `${preferredName} Example`): Promise<Resident> {
    const res = await this.request("/residents", { json: { fullName, preferredName } });
    return (await expectBody(res, 201, z.object({ resident: residentSchema }))).resident;
  }

  /** Creates a family link; the token is what the family's page reads from the URL fragment. */
  async createFamilyLink(residentId: string, label: string): Promise<{ link: CreatedFamilyLink; token: string }> {
    const res = await this.request(`/residents/${residentId}/family-links`, { json: { label } });
    const { link } = await expectBody(res, 201, z.object({ link: createdFamilyLinkSchema }));
    return { link, token: new URL(link.url).hash.slice(1) };
  }

  revokeFamilyLink(residentId: string, linkId: string) {
    return this.request(`/residents/${residentId}/family-links/${linkId}/revoke`, { method: "POST" });
  }

  async createSetupCode(residentId: string): Promise<SetupCode> {
    const res = await this.request(`/residents/${residentId}/setup-codes`, { method: "POST" });
    return (await expectBody(res, 201, z.object({ setupCode: setupCodeSchema }))).setupCode;
  }

  /** One resident with one family link and one paired tablet, as staff set a household up. */
  async household(preferredName: string) {
    const resident = await this.createResident(preferredName);
    const { link, token: familyToken } = await this.createFamilyLink(resident.id, `${preferredName}'s daughter`);
    const { code } = await this.createSetupCode(resident.id);
    const deviceToken = await pairTablet(this.relay, code);
    return { resident, link, familyToken, deviceToken };
  }
}

// Tablet and family ---------------------------------------------------------------------------

export function pair(relay: Relay, code: string, from?: string) {
  return relay.request("/api/tablet/pair", { json: { code }, from });
}

export async function pairTablet(relay: Relay, code: string): Promise<string> {
  return (await expectBody(await pair(relay, code), 201, pairResponseSchema)).deviceToken;
}

export function syncRequest(relay: Relay, deviceToken: string, query = "") {
  return relay.request(`/api/tablet/sync${query}`, { bearer: deviceToken });
}

export async function sync(relay: Relay, deviceToken: string, query = ""): Promise<SyncPage> {
  return expectBody(await syncRequest(relay, deviceToken, query), 200, syncPageSchema);
}

export function sendRequest(relay: Relay, familyToken: string, text: string, id: string = uuidv7()) {
  return relay.request("/api/family/messages", { bearer: familyToken, json: { id, text } });
}

export async function send(relay: Relay, familyToken: string, text: string, id?: string): Promise<SentMessage> {
  const res = await sendRequest(relay, familyToken, text, id);
  return (await expectBody(res, 201, z.object({ message: sentMessageSchema }))).message;
}

// The database file -------------------------------------------------------------------------

/** Every row of every table, read through a second connection to the file the relay writes. */
export function dumpTables(relay: { dbFile: string }): Record<keyof Database, unknown[]> {
  const file = new SQLite(relay.dbFile, { readonly: true });
  try {
    const tables = file
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    // Kysely's own migration tables are in here too.
    return Object.fromEntries(tables.map((t) => [t, file.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()])) as Record<
      keyof Database,
      unknown[]
    >;
  } finally {
    file.close();
  }
}

export function rowCounts(relay: { dbFile: string }): Record<keyof Database, number> {
  return Object.fromEntries(Object.entries(dumpTables(relay)).map(([t, rows]) => [t, rows.length])) as Record<
    keyof Database,
    number
  >;
}

/** The messages in a sync page, without the other kinds of entry. */
export function messagesOf(page: SyncPage) {
  return page.entries.flatMap((e) => (e.kind === "message" ? [e.message] : []));
}
