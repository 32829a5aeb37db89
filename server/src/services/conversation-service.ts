import { randomUUID } from "node:crypto";
import type { FamilyMe, LogEntry, PairResponse, SendMessageRequest, SentMessage, SyncPage, SyncQuery } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { Logger } from "../log";
import type { DeviceRow, FamilyLinkRow, LogEntryRow, MessageRow, Store } from "../store";
import { hashToken, newToken } from "./credentials";
import type { FailureLimiter } from "./failure-limiter";

type Deps = {
  store: Store;
  clock: Clock;
  limiter: FailureLimiter;
  log: Logger;
  onAppend?: (residentId: string, seq: number) => void;
};

export type TabletPrincipal = { deviceId: string; residentId: string };
export type FamilyPrincipal = { link: FamilyLinkRow };

/**
 * The conversation between a resident and their family: pairing tablets, accepting family
 * messages into the resident's log, and handing the log out to the tablet.
 */
export class ConversationService {
  constructor(private readonly deps: Deps) {}

  private nowIso() {
    return this.deps.clock.now().toISOString();
  }

  async pair(code: string, source: string): Promise<PairResponse> {
    const key = `pair:${source}`;
    this.deps.limiter.check(key);
    const token = newToken();
    const now = this.nowIso();
    const device: DeviceRow = { id: randomUUID(), residentId: "", pairedAt: now, lastSeenAt: now, revokedAt: null };
    const resident = await this.deps.store.pairDevice(hashToken(code), device, hashToken(token), now);
    if (!resident) {
      this.deps.limiter.fail(key);
      throw new AppError(
        "setup_code_invalid",
        "That set-up code is not right, or it has been used or has expired. Make a new code in the staff console.",
      );
    }
    this.deps.limiter.succeed(key);
    this.deps.log("tablet.paired", { residentId: resident.id, deviceId: device.id });
    return { deviceToken: token, resident: { id: resident.id, preferredName: resident.preferredName } };
  }

  async authenticateTablet(token: string | undefined): Promise<TabletPrincipal> {
    const device = token ? await this.deps.store.findDeviceByTokenHash(hashToken(token)) : undefined;
    if (!device || device.revokedAt) throw new AppError("unauthenticated", "This tablet is not set up.");
    const now = this.deps.clock.now();
    // Last seen feeds the staff dashboard; a minute's precision spares a disk write per pull.
    if (!device.lastSeenAt || now.getTime() - Date.parse(device.lastSeenAt) > 60_000) {
      await this.deps.store.touchDevice(device.id, now.toISOString());
    }
    return { deviceId: device.id, residentId: device.residentId };
  }

  async pull(tablet: TabletPrincipal, query: SyncQuery): Promise<SyncPage> {
    // One more than asked tells whether another page follows without a count query.
    const rows = await this.deps.store.pullLog(tablet.residentId, query.after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    return {
      entries: page.map(toLogEntry),
      cursor: page.at(-1)?.seq ?? query.after,
      hasMore: rows.length > query.limit,
    };
  }

  async authenticateFamily(token: string | undefined): Promise<FamilyPrincipal> {
    const link = token ? await this.deps.store.findFamilyLinkByTokenHash(hashToken(token)) : undefined;
    if (!link) throw new AppError("unauthenticated", "This link does not work. Please check you copied all of it.");
    if (link.revokedAt) throw new AppError("link_revoked", "This link no longer works. Please ask the council for a new one.");
    const now = this.deps.clock.now();
    if (!link.lastUsedAt || now.getTime() - Date.parse(link.lastUsedAt) > 60_000) {
      await this.deps.store.touchFamilyLink(link.id, now.toISOString());
    }
    return { link };
  }

  async familyMe({ link }: FamilyPrincipal): Promise<FamilyMe> {
    const resident = await this.deps.store.findResident(link.residentId);
    if (!resident) throw new AppError("link_revoked", "This link no longer works. Please ask the council for a new one.");
    return { resident: { preferredName: resident.preferredName }, member: { label: link.label } };
  }

  async familyMessages({ link }: FamilyPrincipal): Promise<SentMessage[]> {
    return (await this.deps.store.listMessagesFromLink(link.id)).map(toSentMessage);
  }

  /** Idempotent by the client's id: a retry returns the stored message; a different text under the same id is refused. */
  async send({ link }: FamilyPrincipal, input: SendMessageRequest): Promise<{ created: boolean; message: SentMessage }> {
    const { created, message } = await this.deps.store.appendMessage({
      id: input.id,
      residentId: link.residentId,
      familyLinkId: link.id,
      senderName: link.label,
      text: input.text,
      sentAt: this.nowIso(),
    });
    if (!created && (message.familyLinkId !== link.id || message.text !== input.text)) {
      throw new AppError(
        "id_reused",
        "This message id was already used for a different message. Send it again as a new message.",
      );
    }
    if (created) {
      this.deps.log("message.appended", { residentId: link.residentId, seq: message.seq });
      this.deps.onAppend?.(link.residentId, message.seq);
    }
    return { created, message: toSentMessage(message) };
  }
}

const toSentMessage = (m: MessageRow): SentMessage => ({
  id: m.id,
  senderName: m.senderName,
  text: m.text,
  sentAt: m.sentAt,
  seq: m.seq,
});

const toLogEntry = (e: LogEntryRow): LogEntry => ({
  seq: e.seq,
  at: e.at,
  kind: "message",
  message: { id: e.message.id, senderName: e.message.senderName, text: e.message.text, sentAt: e.message.sentAt },
});
