import type { AuditEntry } from "@letterbox/shared";
import { strToU8, zipSync } from "fflate";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { PhotoStore } from "../images/photo-store";
import type { Store } from "../store";
import type { Actor, Audit } from "./audit";
import type { ConversationService } from "./conversation-service";
import { toFamilyLink } from "./family-link-service";
import type { PhotoService } from "./photo-service";
import type { ResidentService } from "./resident-service";
import { requireResident, toResident } from "./residents";
import type { TabletService } from "./tablet-service";

type Deps = {
  store: Store;
  clock: Clock;
  audit: Audit;
  /** The photos' bytes, for the export. */
  photos: PhotoStore;
  /** Forgets the files of photos nothing refers to any more, after an erasure or a retention. */
  photoService: PhotoService;
  /** Retention deletes old messages through the log, as their sender would. */
  conversations: ConversationService;
  residents: ResidentService;
  tablets: TabletService;
};

const HOUR = 3_600_000;
/**
 * A photo uploaded but never sent (the family member gave up, or the phone never came back) is
 * kept this long. The family page sends a message within moments of its uploads, and uploads again
 * the photos of a message that waited longer, so a day is plenty.
 */
export const UNSENT_UPLOAD_MS = 24 * HOUR;

/**
 * The council's data-protection duties: the subject access export, erasure, retention, and the
 * audit log of what staff did. The export is the one place staff are given content (the resident's
 * own data), and it is audited.
 */
export class DataProtectionService {
  constructor(private readonly deps: Deps) {}

  /** Erasure: the resident, their log, messages, photos on disk, links, tablets and subscriptions. */
  async erase(residentId: string, by: Actor) {
    const erased = await this.deps.store.residents.erase(residentId);
    if (!erased) throw new AppError("not_found", "There is no resident with that id.");
    await this.deps.photoService.forgetUnused(erased.photoIds);
    await this.deps.audit.record(by, "resident.erased", residentId, { photos: erased.photoIds.length });
  }

  /** Subject access: everything held about the resident, as JSON with the photos beside it, zipped. */
  async export(residentId: string, by: Actor): Promise<{ fileName: string; zip: Uint8Array }> {
    const resident = await requireResident(this.deps.store, residentId);
    const { messages, replies } = await this.deps.store.log.conversation(residentId, true);
    const links = await this.deps.store.familyLinks.list(residentId);
    const tablets = await this.deps.tablets.list(residentId);
    const unsent = await this.deps.store.photoRecords.unsentUploads(residentId);
    const labels = new Map(links.map((l) => [l.id, l.displayName ?? l.label]));
    const now = this.deps.clock.now();
    const data = {
      exportedAt: now.toISOString(),
      resident: toResident(resident),
      familyLinks: links.map(toFamilyLink),
      tablets,
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
    return { fileName: `letterbox-${safeName}-${now.toISOString().slice(0, 10)}.zip`, zip: zipSync(files, { level: 0 }) };
  }

  /**
   * Retention: messages older than each resident's setting are deleted through the log (so the
   * tablet and family pages drop them too) and their photos leave the disk; photos uploaded but
   * not sent within a day go too; old audit entries go.
   */
  async applyRetention(): Promise<{ messages: number; unsentPhotos: number }> {
    const now = this.deps.clock.now();
    let count = 0;
    for (const resident of await this.deps.store.residents.list()) {
      const before = new Date(now.getTime() - resident.retentionDays * 86_400_000).toISOString();
      for (const m of await this.deps.store.log.messagesSentBefore(resident.id, before)) {
        await this.deps.photoService.forgetUnused(await this.deps.conversations.expireMessage(m.id, m.familyLinkId));
        count++;
      }
    }
    const unsent = await this.deps.store.photoRecords.expireUnsentUploads(
      new Date(now.getTime() - UNSENT_UPLOAD_MS).toISOString(),
    );
    await this.deps.photoService.forgetUnused(unsent);
    const settings = await this.deps.residents.orgSettings();
    await this.deps.store.audit.prune(new Date(now.getTime() - settings.auditRetentionDays * 86_400_000).toISOString());
    if (count > 0 || unsent.length > 0) {
      await this.deps.audit.record({ system: "retention" }, "retention.applied", null, {
        messages: count,
        unsentPhotos: unsent.length,
      });
    }
    return { messages: count, unsentPhotos: unsent.length };
  }

  async auditLog(limit = 500): Promise<AuditEntry[]> {
    return (await this.deps.store.audit.list(limit)).map(({ staffId: _id, ...entry }) => entry);
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
