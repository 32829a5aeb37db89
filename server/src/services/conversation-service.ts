import { randomUUID } from "node:crypto";
import type {
  Conversation,
  ConversationItem,
  FamilyMe,
  LogEntry,
  Message,
  PairResponse,
  Photo,
  ReceiptsRequest,
  Reply,
  SendMessageRequest,
  SendReplyRequest,
  SentMessage,
  SentReply,
  SyncPage,
  SyncQuery,
  TabletStatusRequest,
  UpdateFamilyMeRequest,
} from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { LogEvent, LogEvents } from "../events";
import type { Logger } from "../log";
import type { DeviceRow, FamilyLinkRow, LogEntryRow, MessageRow, ReplyRow, ResidentRow, Store } from "../store";
import type { Audit } from "./audit";
import { hashToken, newToken } from "./credentials";
import type { FailureLimiter } from "./failure-limiter";
import { residentSettings } from "./residents";

type Deps = {
  store: Store;
  clock: Clock;
  limiter: FailureLimiter;
  log: Logger;
  events: LogEvents;
  /** Named to family when their link stops working ("Please ask Ampthill Council for a new one"). */
  councilName?: string;
  audit: Audit;
  /** Counts the messages this instance stores (http/metrics.ts). */
  metrics?: { messageAccepted(): void };
};

export type TabletPrincipal = { deviceId: string; residentId: string };

export type FamilyPrincipal = { link: FamilyLinkRow };

/**
 * Whether a family member sees what another family link sent or what concerns it (a reply to it,
 * its receipts, its deletion). The one rule for everything a family member is shown or told about
 * their relative's conversation: with "family members see each other's messages" off, even the
 * moment another member writes is theirs alone. Messages, replies, photos and live hints all go through it.
 */
export function familySees(
  resident: Pick<ResidentRow, "familySeesAll">,
  link: Pick<FamilyLinkRow, "id">,
  ownerLinkId: string,
): boolean {
  return resident.familySeesAll || ownerLinkId === link.id;
}

/**
 * The conversation between a resident and their family: pairing tablets, accepting family
 * messages into the resident's log, and handing the log out to the tablet.
 */
export class ConversationService {
  constructor(private readonly deps: Deps) {}

  private revokedSentence() {
    return `This link no longer works. Please ask ${this.deps.councilName ?? "the council"} for a new one.`;
  }

  private nowIso() {
    return this.deps.clock.now().toISOString();
  }

  async pair(code: string, source: string): Promise<PairResponse> {
    const attempt = await this.deps.limiter.reserve(`pair:${source}`);
    const token = newToken();
    const now = this.nowIso();
    const device: DeviceRow = { id: randomUUID(), residentId: "", pairedAt: now, lastSeenAt: now, revokedAt: null };
    const resident = await this.deps.store.devices.pair(hashToken(code), device, hashToken(token), now).catch(async (err) => {
      await attempt.release();
      throw err;
    });
    if (!resident) {
      await attempt.failed();
      throw new AppError(
        "setup_code_invalid",
        "That set-up code is not right, or it has been used or has expired. Make a new code in the staff console.",
      );
    }
    await attempt.succeeded();
    this.deps.log("tablet.paired", { residentId: resident.id, deviceId: device.id });
    // An open family page says "not set up yet" until it hears otherwise.
    this.deps.events.emit({ residentId: resident.id, seq: 0, kind: "settings" });
    // Staff answer for every tablet that can read a resident's messages. The code's creation is
    // audited with who made it; the pairing happens on the tablet, so it is recorded with its address.
    await this.deps.audit.record({ system: "tablet set-up" }, "tablet.paired", resident.id, {
      deviceId: device.id,
      from: source,
    });
    return { deviceToken: token, resident: { id: resident.id, preferredName: resident.preferredName } };
  }

  async authenticateTablet(token: string | undefined): Promise<TabletPrincipal> {
    const device = token ? await this.deps.store.devices.findByTokenHash(hashToken(token)) : undefined;
    if (!device) throw new AppError("unauthenticated", "This tablet is not set up.");
    // Staff wiped it (the loan ended): the tablet clears its data and shows the set-up screen.
    if (device.revokedAt)
      throw new AppError("device_wiped", "This tablet has been wiped by staff. Set it up again with a new code.");
    const now = this.deps.clock.now();
    // Last seen feeds the staff dashboard; a minute's precision spares a disk write per pull.
    const silentFor = device.lastSeenAt ? now.getTime() - Date.parse(device.lastSeenAt) : Number.POSITIVE_INFINITY;
    if (silentFor > 60_000) await this.deps.store.devices.touch(device.id, now.toISOString());
    // Back after long enough for an open family page to say it has been offline: tell that page,
    // which does not poll while its live connection is open.
    if (silentFor > TABLET_BACK_ONLINE_AFTER_MS) {
      this.deps.events.emit({ residentId: device.residentId, seq: 0, kind: "settings" });
    }
    return { deviceId: device.id, residentId: device.residentId };
  }

  async pull(tablet: TabletPrincipal, query: SyncQuery): Promise<SyncPage> {
    // One more than asked tells whether another page follows without a count query.
    const pulled = await this.deps.store.log.pullPage(tablet.residentId, query.after, query.limit + 1);
    if (!pulled) throw tabletNotSetUp();
    const { resident, position, entries: rows } = pulled;
    const page = rows.slice(0, query.limit);
    return {
      ...position,
      // A deleted message's entry stays in the log (its seq is taken) but carries nothing: the
      // tablet learns of the deletion from the entry that follows.
      entries: page.flatMap(toLogEntry),
      cursor: page.at(-1)?.seq ?? query.after,
      hasMore: rows.length > query.limit,
      settings: residentSettings(resident),
    };
  }

  /** Delivered and seen receipts from the tablet; repeats and receipts for deleted messages change nothing. */
  async recordReceipts(tablet: TabletPrincipal, input: ReceiptsRequest): Promise<number> {
    const recorded = await this.deps.store.log.recordReceipts(tablet.residentId, input.receipts, this.nowIso());
    if (recorded.length > 0) this.deps.log("receipts.recorded", { residentId: tablet.residentId, count: recorded.length });
    for (const r of recorded) this.deps.events.emit({ residentId: tablet.residentId, kind: "receipt", ...r });
    return recorded.length;
  }

  /** A one-tap reply, idempotent by the tablet's id like family messages. */
  async reply(tablet: TabletPrincipal, input: SendReplyRequest): Promise<{ created: boolean; reply: SentReply }> {
    const result = await this.deps.store.log.appendReply({
      id: input.id,
      residentId: tablet.residentId,
      inReplyTo: input.inReplyTo,
      text: input.text,
      sentAt: this.nowIso(),
    });
    if (result === "no_message") throw new AppError("not_found", "There is no such message to reply to.");
    const { created, reply } = result;
    if (
      !created &&
      (reply.residentId !== tablet.residentId || reply.inReplyTo !== input.inReplyTo || reply.text !== input.text)
    ) {
      throw new AppError("id_reused", "This reply id was already used for a different reply.");
    }
    if (created) {
      this.deps.log("reply.appended", { residentId: tablet.residentId, seq: reply.seq });
      this.deps.events.emit({ residentId: tablet.residentId, seq: reply.seq, kind: "reply", familyLinkId: reply.familyLinkId });
    }
    return { created, reply: toSentReply(reply) };
  }

  /** Device health for the staff dashboard, reported by the tablet after it syncs. */
  async recordStatus(tablet: TabletPrincipal, status: TabletStatusRequest): Promise<void> {
    // An app from before battery readings says nothing of it: no reading, as from a browser without the API.
    await this.deps.store.devices.recordStatus(tablet.deviceId, { ...status, battery: status.battery ?? null }, this.nowIso());
  }

  /** `gone`: what the caller says when the resident has been erased meanwhile. */
  private async requirePosition(residentId: string, gone: () => AppError) {
    const position = await this.deps.store.log.position(residentId);
    if (!position) throw gone();
    return position;
  }

  async authenticateFamily(token: string | undefined): Promise<FamilyPrincipal> {
    const link = token ? await this.deps.store.familyLinks.findByTokenHash(hashToken(token)) : undefined;
    if (!link)
      throw new AppError(
        "unauthenticated",
        `This link does not work. Please check you copied all of it, or ask ${this.deps.councilName ?? "the council"} for a new one.`,
      );
    if (link.revokedAt) throw new AppError("link_revoked", this.revokedSentence());
    const now = this.deps.clock.now();
    if (!link.lastUsedAt || now.getTime() - Date.parse(link.lastUsedAt) > 60_000) {
      await this.deps.store.familyLinks.touch(link.id, now.toISOString());
    }
    return { link };
  }

  async familyMe({ link }: FamilyPrincipal): Promise<FamilyMe> {
    const resident = await this.deps.store.residents.find(link.residentId);
    if (!resident) throw new AppError("link_revoked", this.revokedSentence());
    return {
      resident: { preferredName: resident.preferredName },
      member: { id: link.id, label: link.label, displayName: link.displayName },
      council: this.deps.councilName ?? "the council",
    };
  }

  /** How the family member is named on the tablet from their next message on. */
  async setDisplayName(family: FamilyPrincipal, input: UpdateFamilyMeRequest): Promise<FamilyMe> {
    await this.deps.store.familyLinks.setDisplayName(family.link.id, input.displayName);
    return this.familyMe({ link: { ...family.link, displayName: input.displayName } });
  }

  /**
   * The family member's view: their own messages and the replies to them, and, where staff allow
   * it, the rest of the family's. Each of their messages says how far it got.
   */
  async conversation({ link }: FamilyPrincipal): Promise<Conversation> {
    const resident = await this.deps.store.residents.find(link.residentId);
    if (!resident) throw new AppError("link_revoked", this.revokedSentence());
    const { messages, replies } = await this.deps.store.log.conversation(link.residentId);
    const visible = (familyLinkId: string) => familySees(resident, link, familyLinkId);
    const items: ConversationItem[] = [
      ...messages
        .filter((m) => visible(m.familyLinkId))
        .map(
          (m): ConversationItem => ({
            kind: "message",
            seq: m.seq,
            message: toMessage(m),
            mine: m.familyLinkId === link.id,
            deliveredAt: m.deliveredAt,
            seenAt: m.seenAt,
          }),
        ),
      ...replies
        .filter((r) => visible(r.familyLinkId))
        .map((r): ConversationItem => ({ kind: "reply", seq: r.seq, reply: toReply(r), toMe: r.familyLinkId === link.id })),
    ].sort((a, b) => a.seq - b.seq);
    const { logId } = await this.requirePosition(link.residentId, () => new AppError("link_revoked", this.revokedSentence()));
    return {
      items,
      logId,
      tablet: {
        lastSeenAt: await this.deps.store.devices.lastSeen(link.residentId),
        quietHours: resident.quietHours,
        paused: resident.paused,
      },
    };
  }

  /**
   * Whether a log event changes this family member's conversation, for their live connection.
   * Settings and wipes change what every family page says about the tablet.
   */
  familyHears({ link }: FamilyPrincipal, event: LogEvent): boolean | Promise<boolean> {
    // Answered at once for other residents' events, the great majority on a busy relay.
    if (event.residentId !== link.residentId) return false;
    if (event.familyLinkId === undefined) return true;
    const owner = event.familyLinkId;
    // Read afresh: staff may have changed the setting since the connection opened.
    return this.deps.store.residents
      .find(link.residentId)
      .then((resident) => resident !== undefined && familySees(resident, link, owner));
  }

  /**
   * Idempotent by the client's id: a retry returns the stored message; different content under
   * the same id is refused. Photos must have been uploaded through this same link.
   */
  async send({ link }: FamilyPrincipal, input: SendMessageRequest): Promise<{ created: boolean; message: SentMessage }> {
    const photos: Photo[] = [];
    for (const attachment of input.photos ?? []) {
      const upload = await this.deps.store.photoRecords.findUpload(attachment.id, link.id);
      if (!upload)
        throw new AppError("photo_not_found", "One of the photos was not uploaded, or has expired. Please add it again.");
      photos.push({ id: upload.photoId, width: upload.width, height: upload.height, caption: attachment.caption ?? "" });
    }
    const { created, message } = await this.deps.store.log.appendMessage({
      id: input.id,
      residentId: link.residentId,
      familyLinkId: link.id,
      senderName: link.displayName ?? link.label,
      senderRelationship: link.relationship,
      text: input.text,
      photos,
      sentAt: this.nowIso(),
    });
    const same =
      message.familyLinkId === link.id &&
      (message.deletedAt !== null || (message.text === input.text && JSON.stringify(message.photos) === JSON.stringify(photos)));
    if (!created && !same) {
      throw new AppError(
        "id_reused",
        "This message id was already used for a different message. Send it again as a new message.",
      );
    }
    if (created) {
      this.deps.metrics?.messageAccepted();
      this.deps.log("message.appended", { residentId: link.residentId, seq: message.seq, photos: photos.length });
      // The stored message's sender name, as the tablet shows it: what the notification says must match.
      this.deps.events.emit({
        residentId: link.residentId,
        seq: message.seq,
        kind: "message",
        senderName: message.senderName,
        familyLinkId: link.id,
      });
    }
    return { created, message: toSentMessage(message) };
  }

  /** Retention removes a message as its sender would; returns its photos, for the caller to forget. */
  async expireMessage(messageId: string, familyLinkId: string): Promise<string[]> {
    const deleted = await this.deps.store.log.deleteMessage(messageId, familyLinkId, this.nowIso());
    if (deleted.result !== "deleted") return [];
    this.deps.events.emit({ residentId: deleted.residentId, seq: deleted.seq, kind: "message_deleted", familyLinkId });
    return deleted.photoIds;
  }

  /** The sender takes a message back: gone from the tablet and the family page at the next pull. */
  async deleteMessage({ link }: FamilyPrincipal, messageId: string): Promise<{ photoIds: string[] }> {
    const deleted = await this.deps.store.log.deleteMessage(messageId, link.id, this.nowIso());
    if (deleted.result === "not_found") throw new AppError("not_found", "There is no message of yours with that id.");
    if (deleted.result !== "deleted") return { photoIds: [] };
    this.deps.log("message.deleted", { residentId: link.residentId });
    this.deps.events.emit({ residentId: link.residentId, seq: deleted.seq, kind: "message_deleted", familyLinkId: link.id });
    return { photoIds: deleted.photoIds };
  }
}

/**
 * The family page calls a tablet offline after an hour's silence (TABLET_OFFLINE_AFTER_MS in
 * client/src/family/status.ts); half that leaves room for a phone's clock that runs ahead.
 */
const TABLET_BACK_ONLINE_AFTER_MS = 30 * 60_000;

const tabletNotSetUp = () => new AppError("unauthenticated", "This tablet is not set up.");

const toMessage = (m: MessageRow): Message => ({
  id: m.id,
  senderId: m.familyLinkId,
  senderName: m.senderName,
  ...(m.senderRelationship ? { senderRelationship: m.senderRelationship } : {}),
  text: m.text,
  photos: m.photos,
  sentAt: m.sentAt,
});

const toSentMessage = (m: MessageRow): SentMessage => ({ ...toMessage(m), seq: m.seq });

const toReply = (r: ReplyRow): Reply => ({ id: r.id, inReplyTo: r.inReplyTo, text: r.text, sentAt: r.sentAt });

const toSentReply = (r: ReplyRow): SentReply => ({ ...toReply(r), seq: r.seq });

function toLogEntry(e: LogEntryRow): LogEntry[] {
  const base = { seq: e.seq, at: e.at };
  switch (e.kind) {
    case "message":
      return e.message.deletedAt ? [] : [{ ...base, kind: "message", message: toMessage(e.message) }];
    case "message_deleted":
      return [{ ...base, kind: "message_deleted", messageId: e.messageId }];
    case "receipt":
      return [{ ...base, kind: "receipt", messageId: e.messageId, state: e.state }];
    case "reply":
      return [{ ...base, kind: "reply", reply: toReply(e.reply) }];
  }
}
