import {
  type Conversation,
  type CreateFamilyLinkRequest,
  type CreateResidentRequest,
  conversationSchema,
  createdFamilyLinkSchema,
  deviceSchema,
  familyLinkSchema,
  inviteSchema,
  pairResponseSchema,
  type ReceiptState,
  type ReceiptsRequest,
  residentSchema,
  type SendMessageRequest,
  type SendReplyRequest,
  type SentMessage,
  type StaffRole,
  type SyncPage,
  sentMessageSchema,
  setupCodeSchema,
  syncPageSchema,
  type TabletPushRequest,
  type TabletStatusRequest,
  type UpdateResidentRequest,
  uploadedPhotoSchema,
} from "@letterbox/shared";
import { type APIRequestContext, type APIResponse, expect, request } from "@playwright/test";
import { uuidv7 } from "uuidv7";
import type { RunningRelay } from "./relay";

/**
 * Set-up through the relay's API, for tests whose subject is not the screen that would do it.
 * Request bodies are typed by the shared contract and every response is read through its shared
 * schema, so a changed route breaks here rather than in a confusing assertion later.
 */

export const SEED_STAFF = { name: "Seed Officer", email: "seed.officer@council.example", password: "seed officer password 1" };

/** A resident, one family link and an unused tablet set-up code. */
export type Household = {
  residentId: string;
  /** The family link's id, for revoking or re-issuing it. */
  linkId: string;
  /** `…/family#<token>` */
  familyLink: string;
  familyToken: string;
  setupCode: string;
};

/** The token in a family link (`…/family#<token>`), for acting as that family member through the API. */
export function linkToken(familyLink: string): string {
  return new URL(familyLink).hash.slice(1);
}

/** The JSON body of a response that must have `status` (or any success, when none is given). */
async function body(res: APIResponse, status?: number): Promise<Record<string, unknown>> {
  if (status === undefined) expect(res.status(), await res.text()).toBeLessThan(300);
  else expect(res.status(), await res.text()).toBe(status);
  return (await res.json()) as Record<string, unknown>;
}

/** Staff actions through the API, signed in as the `seeded` relay's administrator. */
export class StaffApi {
  constructor(
    readonly relay: RunningRelay,
    readonly api: APIRequestContext,
  ) {}

  /** Any staff route; the caller reads the body it expects. */
  async post<T>(path: string, data?: unknown): Promise<T> {
    return (await body(await this.api.post(`/api/staff${path}`, { data: data ?? {} }))) as T;
  }

  async patch<T>(path: string, data: unknown): Promise<T> {
    return (await body(await this.api.patch(`/api/staff${path}`, { data }))) as T;
  }

  async resident(fullName: string, preferredName: string): Promise<string> {
    const data: CreateResidentRequest = { fullName, preferredName };
    return residentSchema.parse((await body(await this.api.post("/api/staff/residents", { data }))).resident).id;
  }

  async updateResident(residentId: string, changes: UpdateResidentRequest) {
    await body(await this.api.patch(`/api/staff/residents/${residentId}`, { data: changes }));
  }

  async familyLink(
    residentId: string,
    label: string,
    relationship?: string,
  ): Promise<{ id: string; url: string; token: string }> {
    const data: CreateFamilyLinkRequest = { label, relationship };
    const res = await this.api.post(`/api/staff/residents/${residentId}/family-links`, { data });
    const link = createdFamilyLinkSchema.parse((await body(res)).link);
    return { id: link.id, url: link.url, token: linkToken(link.url) };
  }

  async familyLinks(residentId: string) {
    const res = await this.api.get(`/api/staff/residents/${residentId}/family-links`);
    return familyLinkSchema.array().parse((await body(res, 200)).links);
  }

  async setupCode(residentId: string): Promise<string> {
    const res = await this.api.post(`/api/staff/residents/${residentId}/setup-codes`, { data: {} });
    return setupCodeSchema.parse((await body(res)).setupCode).code;
  }

  async devices(residentId: string) {
    const res = await this.api.get(`/api/staff/residents/${residentId}/devices`);
    return deviceSchema.array().parse((await body(res, 200)).devices);
  }

  /** The address of a one-time invitation to make a staff account. */
  async invite(role: StaffRole): Promise<string> {
    return inviteSchema.parse((await body(await this.api.post("/api/staff/invites", { data: { role } }))).invite).url;
  }

  /** A resident with one family member and an unused tablet set-up code. */
  async household(preferredName = "Margaret", label = "Sarah (daughter)"): Promise<Household> {
    const residentId = await this.resident(`${preferredName} Jones`, preferredName);
    const link = await this.familyLink(residentId, label);
    return {
      residentId,
      linkId: link.id,
      familyLink: link.url,
      familyToken: link.token,
      setupCode: await this.setupCode(residentId),
    };
  }

  /**
   * A resident with a family link and a paired tablet, with the ids that the resident's pages of
   * the console are addressed by.
   */
  async householdForEveryPage(preferredName: string) {
    const household = await this.household(preferredName);
    const tablet = await TabletApi.pair(this.relay.url, household.setupCode);
    await tablet.dispose();
    const [links, devices] = [await this.familyLinks(household.residentId), await this.devices(household.residentId)];
    return {
      residentId: household.residentId,
      fullName: `${preferredName} Jones`,
      linkId: links[0]?.id ?? "",
      deviceId: devices[0]?.id ?? "",
    };
  }
}

/** A resident's tablet through the tablet API: what it has received, its receipts, replies and status reports. */
export class TabletApi {
  private constructor(
    readonly api: APIRequestContext,
    readonly token: string,
  ) {}

  static async pair(baseURL: string, code: string): Promise<TabletApi> {
    const api = await request.newContext({ baseURL });
    const res = await api.post("/api/tablet/pair", { data: { code } });
    return new TabletApi(api, pairResponseSchema.parse(await body(res, 201)).deviceToken);
  }

  private get headers() {
    return { Authorization: `Bearer ${this.token}` };
  }

  /** Every log entry from the start, all pages. */
  async log(): Promise<SyncPage["entries"]> {
    const entries: SyncPage["entries"] = [];
    for (let after = 0, more = true; more; ) {
      const res = await this.api.get(`/api/tablet/sync?after=${after}&limit=200`, { headers: this.headers });
      const page = syncPageSchema.parse(await body(res, 200));
      entries.push(...page.entries);
      after = page.cursor;
      more = page.hasMore;
    }
    return entries;
  }

  async messages() {
    return (await this.log()).flatMap((e) => (e.kind === "message" ? [e.message] : []));
  }

  async receipt(messageId: string, state: ReceiptState) {
    const data: ReceiptsRequest = { receipts: [{ messageId, state }] };
    await body(await this.api.post("/api/tablet/receipts", { headers: this.headers, data }), 200);
  }

  async reply(inReplyTo: string, text: string) {
    const data: SendReplyRequest = { id: uuidv7(), inReplyTo, text };
    await body(await this.api.post("/api/tablet/replies", { headers: this.headers, data }), 201);
  }

  /**
   * What a tablet that cannot take push says, as the real one does: why (POST /api/tablet/push, the
   * relay's push state for it), then its status report.
   */
  async report(status: {
    pushState: "no_push_manager" | "permission_denied" | "subscribe_failed";
    storagePersisted: boolean;
    appVersion?: string;
  }) {
    const push: TabletPushRequest = { unavailable: status.pushState };
    await body(await this.api.post("/api/tablet/push", { headers: this.headers, data: push }), 200);
    const data: TabletStatusRequest = {
      appVersion: status.appVersion ?? "1.4.2",
      language: "en-GB",
      storageUsedBytes: 12_340_000,
      storageQuotaBytes: 2_000_000_000,
      storagePersisted: status.storagePersisted,
      pushState: status.pushState,
    };
    await body(await this.api.post("/api/tablet/status", { headers: this.headers, data }));
  }

  /** The status of a sync: 200 while paired, 410 once staff wiped it. */
  async syncStatus(): Promise<number> {
    return (await this.api.get("/api/tablet/sync", { headers: this.headers })).status();
  }

  async dispose() {
    await this.api.dispose();
  }
}

/** A family member through the API with their link's token (when the family page is not the subject). */
export class FamilyApi {
  private constructor(
    readonly api: APIRequestContext,
    readonly token: string,
  ) {}

  static async open(baseURL: string, token: string) {
    return new FamilyApi(await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } }), token);
  }

  /** Uploads a JPEG and returns the photo's id, for attaching to a message. */
  async uploadPhoto(bytes: Buffer): Promise<string> {
    const res = await this.api.post("/api/family/photos", { data: bytes, headers: { "Content-Type": "image/jpeg" } });
    return uploadedPhotoSchema.parse((await body(res, 201)).photo).id;
  }

  async send(text: string, photos: SendMessageRequest["photos"] = []): Promise<SentMessage> {
    const data: SendMessageRequest = { id: uuidv7(), text, photos };
    return sentMessageSchema.parse((await body(await this.api.post("/api/family/messages", { data }), 201)).message);
  }

  async deleteMessage(id: string) {
    await body(await this.api.delete(`/api/family/messages/${id}`), 200);
  }

  async conversation(): Promise<Conversation> {
    return conversationSchema.parse(await body(await this.api.get("/api/family/conversation"), 200));
  }

  async replies() {
    return (await this.conversation()).items.flatMap((i) => (i.kind === "reply" ? [i.reply] : []));
  }

  async dispose() {
    await this.api.dispose();
  }
}
