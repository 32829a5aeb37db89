import type { LogEntry, Message, ResidentSettings, SentReply, SyncPage, TabletStatusRequest } from "@letterbox/shared";
import { RelayError } from "../../api/relay-error";
import type { Relay } from "../sync";

export const TOKEN = "device-token";

export const settings = (over: Partial<ResidentSettings> = {}): ResidentSettings => ({
  preferredName: "Margaret",
  language: "en-GB",
  replyOptions: ["Thank you ♥", "Lovely photo!", "Please ring me"],
  quietHours: { start: "21:00", end: "08:00" },
  textSize: "large",
  paused: false,
  ...over,
});

/** A UUIDv7-shaped id whose order follows `n`. */
export const idFor = (n: number, prefix = "0190") => `${prefix}0000-0000-7000-8000-${String(n).padStart(12, "0")}`;
export const photoIdFor = (n: number) => n.toString(16).padStart(64, "0");

export function message(n: number, over: Partial<Message> = {}): Message {
  return {
    id: idFor(n),
    senderId: "link-sarah",
    senderName: "Sarah (daughter)",
    text: `message ${n}`,
    photos: [],
    sentAt: "2026-11-28T10:00:00.000Z",
    ...over,
  };
}

type Method = keyof Relay;

/** What a backup of the relay holds: its log as it was. */
export type FakeBackup = { log: LogEntry[]; seq: number };

/**
 * The relay in memory, with its rules: one ordered log served in pages, replies accepted once per
 * id (the same id with other text is refused), receipts appended to the log, photos by id. It can
 * be taken offline, made to fail a number of calls, or made to lose its answer after committing,
 * and backed up and restored (which gives its log a new identity, as `letterbox restore` does).
 */
export class FakeRelay implements Relay {
  log: LogEntry[] = [];
  logId = "log-1";
  settings = settings();
  photos = new Map<string, Blob>();
  pageSize = 2;
  offline = false;
  calls: { method: Method; after?: number; id?: string; count?: number }[] = [];
  private failures: { method: Method; status: number; times: number; afterCommit: boolean }[] = [];
  private seq = 0;

  private next(): { seq: number; at: string } {
    return { seq: ++this.seq, at: "2026-11-28T10:00:00.000Z" };
  }

  backup(): FakeBackup {
    return { log: structuredClone(this.log), seq: this.seq };
  }

  restore(backup: FakeBackup, logId = `${this.logId}-restored`) {
    this.log = structuredClone(backup.log);
    this.seq = backup.seq;
    this.logId = logId;
  }

  addMessage(m: Message): LogEntry {
    const e: LogEntry = { ...this.next(), kind: "message", message: m };
    this.log.push(e);
    return e;
  }

  deleteMessage(messageId: string) {
    this.log.push({ ...this.next(), kind: "message_deleted", messageId });
  }

  /** The next `times` calls of `method` fail with `status` (0: no network). `afterCommit`: the relay did the work, the answer was lost. */
  fail(method: Method, status: number, times = 1, afterCommit = false) {
    this.failures.push({ method, status, times, afterCommit });
  }

  private check(method: Method, commit: () => void = () => {}) {
    if (this.offline) throw new RelayError(0, "network");
    const failure = this.failures.find((f) => f.method === method && f.times > 0);
    if (!failure) {
      commit();
      return;
    }
    failure.times--;
    if (failure.afterCommit) commit();
    throw new RelayError(failure.status, failure.status === 0 ? "network" : "internal");
  }

  get replies(): SentReply[] {
    return this.log.flatMap((e) => (e.kind === "reply" ? [{ ...e.reply, seq: e.seq }] : []));
  }

  get receipts() {
    return this.log.flatMap((e) => (e.kind === "receipt" ? [{ messageId: e.messageId, state: e.state }] : []));
  }

  async pull(token: string, after: number): Promise<SyncPage> {
    this.calls.push({ method: "pull", after });
    this.auth(token);
    this.check("pull");
    const later = this.log.filter((e) => e.seq > after);
    const entries = later.slice(0, this.pageSize);
    return {
      entries,
      cursor: entries.at(-1)?.seq ?? after,
      hasMore: later.length > this.pageSize,
      settings: this.settings,
      logId: this.logId,
      head: this.seq,
    };
  }

  async sendReceipts(token: string, receipts: { messageId: string; state: "delivered" | "seen" }[]) {
    this.calls.push({ method: "sendReceipts", count: receipts.length });
    this.auth(token);
    this.check("sendReceipts", () => {
      for (const r of receipts) {
        const known = this.log.some((e) => e.kind === "receipt" && e.messageId === r.messageId && e.state === r.state);
        if (!known) this.log.push({ ...this.next(), kind: "receipt", ...r });
      }
    });
  }

  async sendReply(token: string, reply: { id: string; inReplyTo: string; text: string }): Promise<SentReply> {
    this.calls.push({ method: "sendReply", id: reply.id });
    this.auth(token);
    const existing = this.replies.find((r) => r.id === reply.id);
    if (existing && existing.text !== reply.text) throw new RelayError(409, "id_reused");
    this.check("sendReply", () => {
      if (!this.replies.some((r) => r.id === reply.id)) {
        this.log.push({ ...this.next(), kind: "reply", reply: { ...reply, sentAt: "2026-11-28T10:05:00.000Z" } });
      }
    });
    const stored = this.replies.find((r) => r.id === reply.id);
    if (!stored) throw new Error("unreachable");
    return stored;
  }

  async fetchPhoto(token: string, photoId: string): Promise<Blob> {
    this.calls.push({ method: "fetchPhoto", id: photoId });
    this.auth(token);
    this.check("fetchPhoto");
    const blob = this.photos.get(photoId);
    if (!blob) throw new RelayError(404, "photo_not_found");
    return blob;
  }

  statuses: TabletStatusRequest[] = [];

  async sendStatus(token: string, status: TabletStatusRequest) {
    this.calls.push({ method: "sendStatus" });
    this.auth(token);
    this.check("sendStatus", () => this.statuses.push(status));
  }

  /** Tokens the relay has never heard of (401), and tablets staff wiped (410). */
  revokedTokens = new Set<string>();
  wipedTokens = new Set<string>();
  private auth(token: string) {
    if (this.revokedTokens.has(token)) throw new RelayError(401, "unauthenticated");
    if (this.wipedTokens.has(token)) throw new RelayError(410, "device_wiped");
  }

  callsOf(method: Method) {
    return this.calls.filter((c) => c.method === method);
  }
}
