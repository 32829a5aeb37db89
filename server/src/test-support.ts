/**
 * Helpers for the relay's tests: a real relay on a fresh SQLite file in a temp folder, a fixed
 * clock, and the staff, tablet and family steps that most tests need before they can start.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import {
  type AuditEntry,
  auditEntrySchema,
  type CreatedFamilyLink,
  createdFamilyLinkSchema,
  type ErrorCode,
  errorBodySchema,
  inviteSchema,
  pairResponseSchema,
  type Resident,
  residentSchema,
  type SentMessage,
  type SetupCode,
  type StaffRole,
  type SyncPage,
  sentMessageSchema,
  setupCodeSchema,
  staffMemberSchema,
  syncPageSchema,
  type TabletStatusRequest,
  uploadedPhotoSchema,
} from "@letterbox/shared";
import { type Kysely, type LogConfig, sql } from "kysely";
import sharp from "sharp";
import { uuidv7 } from "uuidv7";
import { expect, onTestFinished } from "vitest";
import { z } from "zod";
import { createApp, createServices } from "./app";
import { FixedClock } from "./clock";
import { type DatabaseConfig, loadConfig } from "./config";
import { openDataFolder } from "./data-folder";
import { kyselyStore } from "./db/kysely-store";
import { isPostgres } from "./db/portable";
import { PostgresFanOut } from "./db/postgres-fan-out";
import type { Database } from "./db/schema";
import { QueryTimes } from "./http/metrics";
import { type BlobStore, PhotoStore } from "./images/photo-store";
import { silentLogger } from "./log";
import type { PushOptions } from "./push/push-service";
import type { PasswordHasher } from "./services/credentials";
import { type Engine, sqlite } from "./test-databases";

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
 * Serves `fetch` over plain HTTP/1.1 on a free 127.0.0.1 port, as the relay runs, for tests about
 * sockets; closed when the test finishes.
 */
export async function listenForTest(fetch: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise((resolve) => server.once("listening", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * A fresh database of the test's own on `engine` (SQLite by default: a file in its own temp folder,
 * the data folder), closed and removed when the current test finishes. Call it inside a test.
 * `dataDir`: open an existing data folder instead (SQLite only: the file in it). `dbFile` is
 * SQLite's file; tests that read it directly hold only on SQLite.
 */
export async function openTestDatabase(
  opts: { engine?: Engine; dataDir?: string; blobs?: BlobStore; database?: DatabaseConfig; queryLog?: LogConfig } = {},
) {
  const engine = opts.engine ?? sqlite;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-test-"));
  const database = opts.database ?? (await engine.relayDatabase(dataDir));
  const { db, store, photos } = await openDataFolder(dataDir, { blobs: opts.blobs, database, queryLog: opts.queryLog });
  onTestFinished(async () => {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { db, store, photos, dataDir, database, engine: engine.name, dbFile: path.join(dataDir, "letterbox.sqlite") };
}

/**
 * A PasswordHasher that costs nothing, for tests about how many tries are let through: they sign
 * in dozens of times, and each real scrypt hash takes a good fraction of a second on a busy
 * machine. `hashed` and `verified` list the passwords it was given, in order.
 */
export function quickHasher() {
  const hashed: string[] = [];
  const verified: string[] = [];
  const digest = (password: string) => createHash("sha256").update(`test:${password}`).digest("base64url");
  return {
    hashed,
    verified,
    hash: async (password: string) => {
      hashed.push(password);
      return `quick$${digest(password)}`;
    },
    verify: async (password: string, stored: string) => {
      verified.push(password);
      return stored === `quick$${digest(password)}`;
    },
  } satisfies PasswordHasher & { hashed: string[]; verified: string[] };
}

export type Relay = Awaited<ReturnType<typeof startRelay>>;

/**
 * Starts a relay on its own database (see openTestDatabase; `engine` picks SQLite or PostgreSQL),
 * with the clock fixed at START. Push
 * is on; `push` points it at a test receiver (agent, allowed endpoints) and sets its timers.
 * `dataDir`: start on an existing data folder instead (a restart; SQLite only, as PostgreSQL's
 * records are not in the folder). `blobs`: keep photos there instead of the data folder (an S3
 * bucket). `passwordHasher` stands in for the relay's bounded scrypt, to count or hold hashes.
 * `database` in the result is what the relay's configuration says, to open it again.
 */
export async function startRelay(
  opts: {
    /** The database engine, SQLite by default (test-databases.ts). */
    engine?: Engine;
    publicUrl?: string;
    push?: Partial<PushOptions>;
    dataDir?: string;
    blobs?: BlobStore;
    passwordHasher?: PasswordHasher;
    /** Each /readyz check's time limit, shorter than the relay's for tests of a store that hangs. */
    readinessTimeoutMs?: number;
    /** METRICS_TOKEN: serves /metrics to requests bearing it. */
    metricsToken?: string;
    /**
     * The database, instead of one of its own: with the same `dataDir`, a second relay on it is
     * another instance of the first.
     */
    database?: DatabaseConfig;
  } = {},
) {
  // As main.ts does: a relay that serves /metrics times its statements.
  const queryTimes = opts.metricsToken === undefined ? undefined : new QueryTimes();
  const { db, store, photos, dataDir, database, dbFile, engine } = await openTestDatabase({ ...opts, queryLog: queryTimes?.log });
  // The real configuration decides publicUrl and secureCookies, as it does in main.ts.
  const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: opts.publicUrl ?? "http://localhost:8080" });
  const clock = new FixedClock(START);
  const push = { subject: config.vapidSubject, ...opts.push };
  const deps = {
    store,
    photos,
    clock,
    log: silentLogger,
    publicUrl: config.publicUrl,
    secureCookies: config.secureCookies,
    push,
    passwordHasher: opts.passwordHasher,
    readinessTimeoutMs: opts.readinessTimeoutMs,
    metricsToken: opts.metricsToken,
    queryTimes,
  };
  const services = createServices(deps);
  const app = createApp(deps, services);
  onTestFinished(() => services.push.stop());
  // As main.ts does: on PostgreSQL the relay listens for other instances' changes, and only then
  // answers a poll that finds nothing new from its pull heads.
  if (database.engine === "postgres") {
    const fanOut = new PostgresFanOut({ url: database.url, db, events: services.events, log: silentLogger, heads: store.heads });
    await fanOut.start();
    onTestFinished(() => fanOut.stop());
  }

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

  return { app, deps, clock, db, store, services, dataDir, database, dbFile, engine, publicUrl: config.publicUrl, request };
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

  /** The audit log as the console shows it, newest first. */
  async auditEntries(): Promise<AuditEntry[]> {
    return (await expectBody(await this.request("/audit"), 200, z.object({ entries: z.array(auditEntrySchema) }))).entries;
  }

  async createResident(preferredName: string, fullName = `${preferredName} Example`): Promise<Resident> {
    const res = await this.request("/residents", { json: { fullName, preferredName } });
    return (await expectBody(res, 201, z.object({ resident: residentSchema }))).resident;
  }

  /** Creates a family link; the token is what the family's page reads from the URL fragment. */
  async createFamilyLink(
    residentId: string,
    label: string,
    relationship?: string,
  ): Promise<{ link: CreatedFamilyLink; token: string }> {
    const res = await this.request(`/residents/${residentId}/family-links`, { json: { label, relationship } });
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

// The database --------------------------------------------------------------------------

/**
 * Every row of every table (Kysely's own migration tables too), read through the relay's database
 * handle: on PostgreSQL another pooled connection, on SQLite the relay's one connection between
 * its transactions, so only committed rows are seen. Rows come in insertion order on SQLite
 * (rowid) and in primary-key order on PostgreSQL, which has no stable insertion order (an update
 * moves a row).
 */
export async function dumpTables(relay: { db: Kysely<Database> }): Promise<Record<keyof Database, unknown[]>> {
  const { db } = relay;
  const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) {
    // A table without a primary key (photo_upload_quota) is ordered by all its columns.
    const order = isPostgres(db as Kysely<unknown>)
      ? await primaryKeyOf(db, table.name).then((key) => (key.length > 0 ? key : table.columns.map((c) => c.name)))
      : ["rowid"];
    const orderBy = sql.join(order.map((c) => sql.ref(c)));
    dump[table.name] = (await sql<unknown>`SELECT * FROM ${sql.table(table.name)} ORDER BY ${orderBy}`.execute(db)).rows;
  }
  return dump as Record<keyof Database, unknown[]>;
}

async function primaryKeyOf(db: Kysely<Database>, table: string): Promise<string[]> {
  const { rows } = await sql<{ column: string }>`
    SELECT a.attname AS column FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = ${table}::regclass AND i.indisprimary
    ORDER BY array_position(i.indkey::int2[], a.attnum)`.execute(db);
  return rows.map((r) => r.column);
}

export async function rowCounts(relay: { db: Kysely<Database> }): Promise<Record<keyof Database, number>> {
  const counts: Record<string, number> = {};
  for (const table of (await relay.db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name)) {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(relay.db);
    counts[table] = Number(rows[0]?.n);
  }
  return counts as Record<keyof Database, number>;
}

/** The messages in a sync page, without the other kinds of entry. */
export function messagesOf(page: SyncPage) {
  return page.entries.flatMap((e) => (e.kind === "message" ? [e.message] : []));
}

// Staff administration, device health and photos (staff-admin, dashboard and data-protection tests)

/** The token in an invitation's URL (`/staff#invite=<token>`). */
export function inviteToken(url: string): string {
  const token = new URL(url).hash.match(/^#invite=([A-Za-z0-9_-]{43})$/)?.[1];
  if (!token) throw new Error(`Not an invitation link: ${url}`);
  return token;
}

export function acceptInvite(
  relay: Relay,
  token: string,
  who: { name: string; email: string; password: string },
  headers?: Record<string, string>,
) {
  return relay.request("/api/staff/invites/accept", { json: { token, ...who }, headers });
}

export const OFFICER = {
  name: "Owen Pritchard",
  email: "owen.pritchard@council.example",
  password: "marmalade tugboat on the quay",
};

/**
 * A second staff member: an administrator invites them with `role`, they accept the invitation
 * (which signs them in) and the signed-in client is returned with their account.
 */
export async function secondStaff(relay: Relay, admin: StaffClient, role: StaffRole, who = OFFICER) {
  const res = await admin.request("/invites", { json: { role } });
  const { invite } = await expectBody(res, 201, z.object({ invite: inviteSchema }));
  const accepted = await acceptInvite(relay, inviteToken(invite.url), who);
  const session = cookieSetBy(accepted, SESSION_COOKIE);
  const { staff: member } = await expectBody(accepted, 201, z.object({ staff: staffMemberSchema }));
  if (!session) throw new Error("Accepting the invitation did not start a session");
  return { client: new StaffClient(relay, `${SESSION_COOKIE}=${session.value}`), member };
}

/** What a healthy tablet reports after a sync (POST /api/tablet/status). */
export const HEALTHY_STATUS: TabletStatusRequest = {
  appVersion: "1.4.2",
  language: "en-GB",
  storageUsedBytes: 12_345_678,
  storageQuotaBytes: 2_000_000_000,
  storagePersisted: true,
  pushState: "subscribed",
};

export function tabletStatus(relay: Relay, deviceToken: string, status: Record<string, unknown> = {}) {
  return relay.request("/api/tablet/status", { bearer: deviceToken, json: { ...HEALTHY_STATUS, ...status } });
}

/** A real JPEG made here (a gradient); a different seed makes a different photo. */
export async function testJpeg(seed = 0, width = 640, height = 480): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i + seed) % 256;
    pixels[i * 3 + 1] = ((i >> 8) + seed * 7) % 256;
    pixels[i * 3 + 2] = (seed * 31) % 256;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Uploads a photo through a family link and returns its id. */
export async function uploadPhoto(relay: Relay, familyToken: string, jpeg: Buffer): Promise<string> {
  const res = await relay.request("/api/family/photos", {
    bearer: familyToken,
    body: jpeg as unknown as string,
    headers: { "Content-Type": "image/jpeg" },
  });
  return (await expectBody(res, 201, z.object({ photo: uploadedPhotoSchema }))).photo.id;
}

/** Sends a family message with text and already uploaded photos. */
export async function sendWithPhotos(
  relay: Relay,
  familyToken: string,
  text: string,
  photos: { id: string; caption?: string }[],
): Promise<SentMessage> {
  const res = await relay.request("/api/family/messages", { bearer: familyToken, json: { id: uuidv7(), text, photos } });
  return (await expectBody(res, 201, z.object({ message: sentMessageSchema }))).message;
}

/** The photo files in the relay's photos folder (display images and thumbnails), by file name. */
export function photoFilesOnDisk(relay: { dataDir: string }): string[] {
  const root = path.join(relay.dataDir, "photos");
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true })
    .map((f) => path.basename(String(f)))
    .filter((f) => f.endsWith(".jpg"))
    .sort();
}

/** The stored display image of a photo, read from the photos folder. */
export function storedDisplayImage(relay: { dataDir: string }, photoId: string): Buffer {
  return fs.readFileSync(path.join(relay.dataDir, "photos", photoId.slice(0, 2), `${photoId}.jpg`));
}

/** Signs in with a password and returns the new session as a client. */
export async function signedInStaff(relay: Relay, who: { email: string; password: string } = STAFF): Promise<StaffClient> {
  const res = await signIn(relay, who.email, who.password);
  const session = cookieSetBy(res, SESSION_COOKIE);
  await expectBody(res, 200, z.object({ staff: staffMemberSchema }));
  if (!session) throw new Error("Signing in did not start a session");
  return new StaffClient(relay, `${SESSION_COOKIE}=${session.value}`);
}

const recentSessions = new WeakMap<Relay, { client: StaffClient; usedAt: number; signedInAt: number }>();

/**
 * The first staff member, signed in at the clock's time: tests that move the clock by days would
 * otherwise find the session ended by the 8-hour idle limit or the 12-hour lifetime. Signs in
 * again only when needed.
 */
export async function staffNow(relay: Relay): Promise<StaffClient> {
  const now = relay.clock.now().getTime();
  const recent = recentSessions.get(relay);
  if (recent && now - recent.usedAt < 7 * 3_600_000 && now - recent.signedInAt < 11 * 3_600_000) {
    recent.usedAt = now;
    return recent.client;
  }
  const client = await signedInStaff(relay);
  recentSessions.set(relay, { client, usedAt: now, signedInAt: now });
  return client;
}

// A relay over a database the test opened itself -----------------------------------------------

/**
 * A relay over `target.db` (a PostgreSQL database, say, that `target.config` names) with photos in
 * `blobs`, built as startRelay builds one, its clock at `now`; the test closes `db`. `dataDir` is
 * the folder it would be given, which holds nothing of it.
 */
export function relayOver(
  target: { db: Kysely<Database>; config: DatabaseConfig },
  blobs: BlobStore,
  dataDir: string,
  now = START,
): Relay {
  const { db } = target;
  const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: "http://localhost:8080" });
  const clock = new FixedClock(now);
  const deps = {
    store: kyselyStore(db),
    photos: new PhotoStore(blobs),
    clock,
    log: silentLogger,
    publicUrl: config.publicUrl,
    secureCookies: config.secureCookies,
    push: { subject: config.vapidSubject },
    passwordHasher: undefined,
    readinessTimeoutMs: undefined,
    metricsToken: undefined,
    queryTimes: undefined,
  };
  const services = createServices(deps);
  const app = createApp(deps, services);
  onTestFinished(() => services.push.stop());
  const request = (urlPath: string, o: RequestOptions = {}): Promise<Response> => {
    const headers = new Headers(o.headers);
    if (o.json !== undefined) headers.set("Content-Type", "application/json");
    if (o.bearer !== undefined) headers.set("Authorization", `Bearer ${o.bearer}`);
    if (o.cookie !== undefined) headers.set("Cookie", o.cookie);
    const body = o.json !== undefined ? JSON.stringify(o.json) : o.body;
    return Promise.resolve(app.request(urlPath, { method: o.method ?? (body === undefined ? "GET" : "POST"), headers, body }));
  };
  // No SQLite file: dbFile names none.
  return {
    app,
    deps,
    clock,
    db,
    store: deps.store,
    services,
    dataDir,
    database: target.config,
    dbFile: "",
    engine: "postgres",
    publicUrl: config.publicUrl,
    request,
  };
}
