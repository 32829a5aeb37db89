import { randomUUID } from "node:crypto";
import {
  type Alert,
  type AuditEntry,
  batteryLowAndNotCharging,
  type CreatedFamilyLink,
  type CreateFamilyLinkFields,
  type CreateResidentRequest,
  type Dashboard,
  type DashboardRow,
  type Device,
  type FamilyLink,
  type FamilyLinkChanges,
  type OrgSettings,
  orgSettingsSchema,
  type ParsedDashboardQuery,
  type Resident,
  SETUP_CODE,
  type SetupCode,
  type UpdateResidentRequest,
} from "@letterbox/shared";
import { strToU8, zipSync } from "fflate";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { LogEvents } from "../events";
import type { PhotoStore } from "../images/photo-store";
import type { Logger } from "../log";
import type { TabletPushStatus } from "../push/push-store";
import type { DeviceHealthRow, FamilyLinkRow, ResidentRow, Store } from "../store";
import type { Actor, Audit } from "./audit";
import { hashToken, newSetupCode, newToken } from "./credentials";
import { newResidentRow, toResident } from "./residents";

type Deps = {
  store: Store;
  clock: Clock;
  log: Logger;
  audit: Audit;
  photos: PhotoStore;
  events: LogEvents;
  publicUrl: string;
  /** Where a tablet's push state is kept (the push module): the one source staff are shown. */
  pushStates: { tabletPushStatus(residentId?: string): Promise<TabletPushStatus[]> };
};

export const DEFAULT_ORG_SETTINGS: OrgSettings = {
  offlineAlertHours: 48,
  unseenAlertHours: 48,
  noFamilyMessageAlertDays: 14,
  auditRetentionDays: 730,
};

/** A tablet counts as online when it reached the relay this recently (it polls every few seconds). */
const ONLINE_WITHIN_MS = 2 * 60_000;
const HOUR = 3_600_000;
/**
 * A photo uploaded but never sent (the family member gave up, or the phone never came back) is
 * kept this long. The family page sends a message within moments of its uploads, and uploads again
 * the photos of a message that waited longer, so a day is plenty.
 */
export const UNSENT_UPLOAD_MS = 24 * HOUR;

/**
 * What council staff do for residents: the record and its settings, family links, tablets, the
 * dashboard, and the data-protection duties (export, erasure, retention). Staff see counts and
 * times, never message text or photos: nothing here returns content, except the subject access
 * export, which is the resident's own data and is audited.
 */
export class ResidentAdminService {
  constructor(private readonly deps: Deps) {}

  private now() {
    return this.deps.clock.now();
  }

  private async requireResident(id: string): Promise<ResidentRow> {
    const resident = await this.deps.store.findResident(id);
    if (!resident) throw new AppError("not_found", "There is no resident with that id.");
    return resident;
  }

  async create(input: CreateResidentRequest, by: Actor): Promise<Resident> {
    const resident = newResidentRow(randomUUID(), input.fullName, input.preferredName, this.now().toISOString());
    await this.deps.store.createResident(resident);
    await this.deps.audit.record(by, "resident.created", resident.id);
    return toResident(resident);
  }

  async update(id: string, input: UpdateResidentRequest, by: Actor): Promise<Resident> {
    await this.requireResident(id);
    const updated = await this.deps.store.updateResident(id, input);
    if (!updated) throw new AppError("not_found", "There is no resident with that id.");
    // An open tablet (and family page) hears at once, rather than at its next timed sync.
    this.deps.events.emit({ residentId: id, seq: 0, kind: "settings" });
    const action = input.paused === true ? "resident.paused" : input.paused === false ? "resident.resumed" : "resident.updated";
    await this.deps.audit.record(by, action, id, { fields: Object.keys(input) });
    return toResident(updated);
  }

  async setArchived(id: string, archived: boolean, by: Actor): Promise<Resident> {
    await this.requireResident(id);
    const updated = await this.deps.store.updateResident(id, { archivedAt: archived ? this.now().toISOString() : null });
    await this.deps.audit.record(by, archived ? "resident.archived" : "resident.unarchived", id);
    return toResident(updated as ResidentRow);
  }

  async list(): Promise<Resident[]> {
    return (await this.deps.store.listResidents()).map(toResident);
  }

  async get(id: string): Promise<Resident> {
    return toResident(await this.requireResident(id));
  }

  // Family links ------------------------------------------------------------------------------

  async createFamilyLink(residentId: string, input: CreateFamilyLinkFields, by: Actor): Promise<CreatedFamilyLink> {
    await this.requireResident(residentId);
    const created = await this.newLink(residentId, input.label, input.relationship ?? null);
    // Ids only: the audit log outlives an erasure, so it holds no names.
    await this.deps.audit.record(by, "family_link.created", residentId, { familyLinkId: created.id });
    return created;
  }

  private async newLink(residentId: string, label: string, relationship: string | null): Promise<CreatedFamilyLink> {
    const token = newToken();
    const link: FamilyLinkRow = {
      id: randomUUID(),
      residentId,
      label,
      displayName: null,
      relationship,
      createdAt: this.now().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.deps.store.createFamilyLink(link, hashToken(token));
    return { ...toFamilyLink(link), url: `${this.deps.publicUrl}/family#${token}` };
  }

  async listFamilyLinks(residentId: string): Promise<FamilyLink[]> {
    await this.requireResident(residentId);
    return (await this.deps.store.listFamilyLinks(residentId)).map(toFamilyLink);
  }

  /**
   * Staff correct the name or the relationship. The family member's next message carries the new
   * ones; messages already on the tablet keep what they were sent with, as with a chosen name.
   */
  async updateFamilyLink(residentId: string, linkId: string, changes: FamilyLinkChanges, by: Actor): Promise<FamilyLink> {
    const link = await this.deps.store.updateFamilyLink(linkId, residentId, changes);
    if (!link) throw new AppError("not_found", "There is no family link with that id for this resident.");
    // Which fields changed, never their words: the audit log outlives an erasure.
    await this.deps.audit.record(by, "family_link.updated", residentId, { familyLinkId: linkId, fields: Object.keys(changes) });
    return toFamilyLink(link);
  }

  /**
   * A page open on a link whose token just stopped working does not poll while its live
   * connection is open: the hint makes it fetch, hear that the link is gone, and say so at once.
   */
  private hintLinkEnded(residentId: string, linkId: string) {
    this.deps.events.emit({ residentId, seq: 0, kind: "settings", familyLinkId: linkId });
  }

  async revokeFamilyLink(residentId: string, linkId: string, by: Actor) {
    const revoked = await this.deps.store.revokeFamilyLink(linkId, residentId, this.now().toISOString());
    if (!revoked) throw new AppError("not_found", "There is no active family link with that id for this resident.");
    this.hintLinkEnded(residentId, linkId);
    await this.deps.audit.record(by, "family_link.revoked", residentId, { familyLinkId: linkId });
  }

  /**
   * A new link for the same person (lost phone, forwarded link): the old token stops working at
   * once; the person keeps their conversation, and replies to their earlier messages still reach them.
   */
  async reissueFamilyLink(residentId: string, linkId: string, by: Actor): Promise<CreatedFamilyLink> {
    const token = newToken();
    const link = await this.deps.store.replaceFamilyLinkToken(linkId, residentId, hashToken(token));
    if (!link) throw new AppError("not_found", "There is no family link with that id for this resident.");
    this.hintLinkEnded(residentId, linkId);
    await this.deps.audit.record(by, "family_link.reissued", residentId, { familyLinkId: linkId });
    return { ...toFamilyLink(link), url: `${this.deps.publicUrl}/family#${token}` };
  }

  // Tablets -----------------------------------------------------------------------------------

  async createSetupCode(residentId: string, by: Actor): Promise<SetupCode> {
    await this.requireResident(residentId);
    const code = newSetupCode();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + SETUP_CODE.ttlMinutes * 60_000).toISOString();
    await this.deps.store.createSetupCode({
      codeHash: hashToken(code),
      residentId,
      createdBy: by.staff.id,
      createdAt: now.toISOString(),
      expiresAt,
    });
    await this.deps.audit.record(by, "tablet.setup_code_created", residentId);
    return { code, expiresAt };
  }

  async listDevices(residentId: string): Promise<Device[]> {
    await this.requireResident(residentId);
    const push = await this.pushByDevice(residentId);
    return (await this.deps.store.listDevices(residentId)).map((d) => toDevice(d, push.get(d.id), this.now()));
  }

  /** The loan lifecycle: the tablet's token dies now, and on its next contact it clears itself and shows set-up. */
  async wipeDevice(residentId: string, deviceId: string, by: Actor) {
    if (!(await this.deps.store.wipeDevice(deviceId, residentId, this.now().toISOString()))) {
      throw new AppError("not_found", "There is no active tablet with that id for this resident.");
    }
    this.deps.events.emit({ residentId, seq: 0, kind: "settings" });
    await this.deps.audit.record(by, "tablet.wiped", residentId, { deviceId });
  }

  // Data protection ---------------------------------------------------------------------------

  /** Erasure: the resident, their log, messages, photos on disk, links, tablets and subscriptions. */
  async erase(residentId: string, by: Actor) {
    const erased = await this.deps.store.eraseResident(residentId);
    if (!erased) throw new AppError("not_found", "There is no resident with that id.");
    await this.forgetUnused(erased.photoIds);
    await this.deps.audit.record(by, "resident.erased", residentId, { photos: erased.photoIds.length });
  }

  /** Subject access: everything held about the resident, as JSON with the photos beside it, zipped. */
  async export(residentId: string, by: Actor): Promise<{ fileName: string; zip: Uint8Array }> {
    const resident = await this.requireResident(residentId);
    const { messages, replies } = await this.deps.store.conversation(residentId, true);
    const links = await this.deps.store.listFamilyLinks(residentId);
    const devices = await this.deps.store.listDevices(residentId);
    const push = await this.pushByDevice(residentId);
    const unsent = await this.deps.store.unsentPhotoUploads(residentId);
    const labels = new Map(links.map((l) => [l.id, l.displayName ?? l.label]));
    const data = {
      exportedAt: this.now().toISOString(),
      resident: toResident(resident),
      familyLinks: links.map(toFamilyLink),
      tablets: devices.map((d) => toDevice(d, push.get(d.id), this.now())),
      messages: messages.map((m) => ({
        id: m.id,
        from: m.senderName,
        sentAt: m.sentAt,
        text: m.text,
        photos: m.photos.map((p) => ({ file: `photos/${p.id}.jpg`, caption: p.caption })),
        deliveredAt: m.deliveredAt,
        seenAt: m.seenAt,
        deletedAt: m.deletedAt,
      })),
      replies: replies.map((r) => ({ id: r.id, inReplyTo: r.inReplyTo, text: r.text, sentAt: r.sentAt })),
      // Held for a day (UNSENT_UPLOAD_MS), but held: part of what the relay has about the resident.
      unsentPhotos: unsent.map((u) => ({
        file: `photos/${u.photoId}.jpg`,
        from: labels.get(u.familyLinkId) ?? null,
        uploadedAt: u.uploadedAt,
      })),
    };
    const files: Record<string, Uint8Array> = { "letterbox-export.json": strToU8(JSON.stringify(data, null, 2)) };
    for (const id of [...messages.flatMap((m) => m.photos.map((p) => p.id)), ...unsent.map((u) => u.photoId)]) {
      const bytes = await this.deps.photos.display(id);
      if (bytes) files[`photos/${id}.jpg`] = new Uint8Array(bytes);
    }
    await this.deps.audit.record(by, "resident.exported", residentId, { messages: messages.length });
    const safeName = resident.fullName.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "resident";
    // Photos are already compressed; storing them as they are keeps the export fast.
    return { fileName: `letterbox-${safeName}-${this.now().toISOString().slice(0, 10)}.zip`, zip: zipSync(files, { level: 0 }) };
  }

  /**
   * Retention: messages older than each resident's setting are deleted through the log (so the
   * tablet and family pages drop them too) and their photos leave the disk; photos uploaded but
   * not sent within a day go too; old audit entries go.
   */
  async applyRetention(
    deleteMessage: (id: string, familyLinkId: string) => Promise<string[]>,
  ): Promise<{ messages: number; unsentPhotos: number }> {
    const now = this.now();
    let count = 0;
    for (const resident of await this.deps.store.listResidents()) {
      const before = new Date(now.getTime() - resident.retentionDays * 86_400_000).toISOString();
      for (const m of await this.deps.store.messagesSentBefore(resident.id, before)) {
        await this.forgetUnused(await deleteMessage(m.id, m.familyLinkId));
        count++;
      }
    }
    const unsent = await this.deps.store.expireUnsentPhotoUploads(new Date(now.getTime() - UNSENT_UPLOAD_MS).toISOString());
    await this.forgetUnused(unsent);
    const settings = await this.orgSettings();
    await this.deps.store.pruneAudit(new Date(now.getTime() - settings.auditRetentionDays * 86_400_000).toISOString());
    if (count > 0 || unsent.length > 0) {
      await this.deps.audit.record({ system: "retention" }, "retention.applied", null, {
        messages: count,
        unsentPhotos: unsent.length,
      });
    }
    return { messages: count, unsentPhotos: unsent.length };
  }

  /** A photo's files go once no live message and no upload refers to it (the same photo may be another family's too). */
  private async forgetUnused(photoIds: string[]) {
    for (const id of photoIds) if (!(await this.deps.store.isPhotoReferenced(id))) await this.deps.photos.remove(id);
  }

  private async pushByDevice(residentId?: string): Promise<Map<string, TabletPushStatus>> {
    return new Map((await this.deps.pushStates.tabletPushStatus(residentId)).map((p) => [p.deviceId, p]));
  }

  // Dashboard ---------------------------------------------------------------------------------

  async orgSettings(): Promise<OrgSettings> {
    const stored = orgSettingsSchema.partial().safeParse(await this.deps.store.getOrgSettings());
    return { ...DEFAULT_ORG_SETTINGS, ...(stored.success ? stored.data : {}) };
  }

  async updateOrgSettings(patch: Partial<OrgSettings>, by: Actor): Promise<OrgSettings> {
    await this.deps.store.setOrgSettings(patch);
    await this.deps.audit.record(by, "settings.updated", null, patch);
    return this.orgSettings();
  }

  /**
   * One page of the residents that match the query, those who need attention first. The order is
   * decided over all of them before the page is cut, so paging and filtering keep the order of need.
   */
  async dashboard(query: ParsedDashboardQuery): Promise<Dashboard> {
    const settings = await this.orgSettings();
    const rows = await this.dashboardRows(settings);
    const needle = query.q ? searchable(query.q) : "";
    const matching = rows.filter(
      (row) =>
        (!query.reason || row.alerts.includes(query.reason)) &&
        (!needle ||
          searchable(row.resident.fullName).includes(needle) ||
          searchable(row.resident.preferredName).includes(needle)),
    );
    const lastPage = Math.max(1, Math.ceil(matching.length / query.pageSize));
    const page = Math.min(query.page, lastPage);
    return {
      rows: matching.slice((page - 1) * query.pageSize, page * query.pageSize),
      residents: rows.length,
      needingAttention: rows.filter((row) => row.alerts.some((a) => a !== "paused")).length,
      matching: matching.length,
      page,
      pageSize: query.pageSize,
      settings,
    };
  }

  /** One resident's dashboard row, for their own page; null when archived (they are off the dashboard). */
  async dashboardRow(residentId: string): Promise<DashboardRow | null> {
    await this.requireResident(residentId);
    const rows = await this.dashboardRows(await this.orgSettings(), residentId);
    return rows[0] ?? null;
  }

  /** Every resident with what needs attention first: all from data the relay has, at the clock's time. */
  private async dashboardRows(settings: OrgSettings, onlyResidentId?: string): Promise<DashboardRow[]> {
    const now = this.now();
    const facts = new Map((await this.deps.store.residentFacts()).map((f) => [f.residentId, f]));
    const devices = await this.deps.store.listDevices();
    const push = await this.pushByDevice();
    const rows: DashboardRow[] = [];
    for (const resident of await this.deps.store.listResidents()) {
      if (resident.archivedAt || (onlyResidentId && resident.id !== onlyResidentId)) continue;
      const tablet = devices.find((d) => d.residentId === resident.id && !d.revokedAt);
      const f = facts.get(resident.id);
      const ago = (iso: string | null | undefined) => (iso ? now.getTime() - Date.parse(iso) : Number.POSITIVE_INFINITY);
      const alerts: Alert[] = [];
      // A paused resident (hospital stay, bereavement) is expected to be quiet: say only that.
      if (resident.paused) {
        alerts.push("paused");
      } else {
        if (!tablet) alerts.push("tablet_never_set_up");
        else if (ago(tablet.lastSeenAt) > settings.offlineAlertHours * HOUR) alerts.push("tablet_offline");
        if (f?.oldestUnseenAt && ago(f.oldestUnseenAt) > settings.unseenAlertHours * HOUR) alerts.push("messages_unseen");
        // The last reading stands while the tablet is silent: a flat battery is why it went dark.
        if (tablet && batteryLowAndNotCharging(tablet.battery)) alerts.push("battery_low");
        const tabletPush = tablet && push.get(tablet.id);
        if (tabletPush && (tabletPush.state !== "subscribed" || tabletPush.failingSince)) alerts.push("push_failing");
        // A screen nobody writes to deepens isolation: prompt staff to contact the family.
        const quietSince = f?.lastFamilyMessageAt ?? resident.createdAt;
        if (ago(quietSince) > settings.noFamilyMessageAlertDays * 24 * HOUR) alerts.push("no_family_message");
      }
      rows.push({
        resident: toResident(resident),
        alerts,
        tablet: {
          lastSeenAt: tablet?.lastSeenAt ?? null,
          online: ago(tablet?.lastSeenAt) < ONLINE_WITHIN_MS,
          appVersion: tablet?.appVersion ?? null,
          ...pushFields(tablet && push.get(tablet.id)),
          storageUsedBytes: tablet?.storageUsedBytes ?? null,
          battery: tablet?.battery ?? null,
        },
        unseenCount: f?.unseenCount ?? 0,
        oldestUnseenAt: f?.oldestUnseenAt ?? null,
        lastSeenMessageAt: f?.lastSeenMessageAt ?? null,
        lastFamilyMessageAt: f?.lastFamilyMessageAt ?? null,
      });
    }
    rows.sort((a, b) => needScore(b) - needScore(a) || a.resident.fullName.localeCompare(b.resident.fullName));
    return rows;
  }

  // Audit -------------------------------------------------------------------------------------

  async auditLog(limit = 500): Promise<AuditEntry[]> {
    return (await this.deps.store.listAudit(limit)).map(({ staffId: _id, ...entry }) => entry);
  }

  async auditCsv(by: Actor): Promise<string> {
    const entries = await this.auditLog(100_000);
    await this.deps.audit.record(by, "audit.exported", null, { entries: entries.length });
    const cell = (v: unknown) => {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      // A leading =, +, - or @ would be run as a formula by a spreadsheet.
      const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
      return `"${safe.replace(/"/g, '""')}"`;
    };
    const lines = entries.map((e) => [e.at, e.staffName, e.action, e.residentId ?? "", e.detail, e.source].map(cell).join(","));
    return `${["time", "staff", "action", "resident", "detail", "from"].join(",")}\r\n${lines.join("\r\n")}\r\n`;
  }
}

const WEIGHT: Record<Alert, number> = {
  tablet_offline: 64,
  messages_unseen: 32,
  // A tablet about to go dark comes before one whose pushes fail: it will soon receive nothing at all.
  battery_low: 16,
  push_failing: 8,
  no_family_message: 4,
  tablet_never_set_up: 2,
  paused: 1,
};
const needScore = (row: DashboardRow) => row.alerts.reduce((sum, a) => sum + WEIGHT[a], 0);

/** A name as search compares it: "Siân" is found by "sian", "O’Brien" by "o'brien". */
const searchable = (text: string) =>
  text.normalize("NFKD").replace(/\p{M}/gu, "").replace(/[’‘]/g, "'").replace(/\s+/g, " ").toLocaleLowerCase("en-GB");

const toFamilyLink = (l: FamilyLinkRow): FamilyLink => ({
  id: l.id,
  label: l.label,
  relationship: l.relationship,
  createdAt: l.createdAt,
  revokedAt: l.revokedAt,
  lastUsedAt: l.lastUsedAt,
});

const pushFields = (p: TabletPushStatus | undefined) => ({
  pushState: p?.state ?? null,
  pushFailingSince: p?.failingSince ?? null,
  pushProblem: p?.problem ?? null,
});

function toDevice(d: DeviceHealthRow, push: TabletPushStatus | undefined, now: Date): Device {
  return {
    id: d.id,
    pairedAt: d.pairedAt,
    lastSeenAt: d.lastSeenAt,
    online: !d.revokedAt && d.lastSeenAt !== null && now.getTime() - Date.parse(d.lastSeenAt) < ONLINE_WITHIN_MS,
    appVersion: d.appVersion,
    language: d.language,
    ...pushFields(push),
    storageUsedBytes: d.storageUsedBytes,
    storageQuotaBytes: d.storageQuotaBytes,
    storagePersisted: d.storagePersisted,
    battery: d.battery,
    wipedAt: d.revokedAt,
  };
}
