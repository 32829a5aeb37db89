import "./zod-config";
import { z } from "zod";
import { isoDateTimeSchema, photoIdSchema, timeOfDaySchema, uuidv7Schema } from "./ids";
import { LIMITS } from "./limits";

export const LANGUAGES = ["en-GB", "cy"] as const;
export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

export const photoSchema = z.object({
  id: photoIdSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  caption: z.string(),
});
export type Photo = z.infer<typeof photoSchema>;

/** A message from family, as every client sees it. */
export const messageSchema = z.object({
  id: uuidv7Schema,
  /** The family link that sent it: replies go back to it. */
  senderId: z.string(),
  senderName: z.string(),
  /**
   * How the resident knows the sender, as staff wrote it when the message was sent ("daughter"):
   * the tablet says "From Sarah, your daughter". Absent when staff gave none, and on messages a
   * tablet stored before relationships were kept.
   */
  senderRelationship: z.string().optional(),
  text: z.string(),
  photos: z.array(photoSchema),
  sentAt: isoDateTimeSchema,
});
export type Message = z.infer<typeof messageSchema>;

/** A one-tap reply from the resident to the sender of one message. */
export const replySchema = z.object({
  id: uuidv7Schema,
  inReplyTo: uuidv7Schema,
  text: z.string(),
  sentAt: isoDateTimeSchema,
});
export type Reply = z.infer<typeof replySchema>;

export const RECEIPT_STATES = ["delivered", "seen"] as const;
export const receiptStateSchema = z.enum(RECEIPT_STATES);
export type ReceiptState = z.infer<typeof receiptStateSchema>;

const entry = { seq: z.number().int().positive(), at: isoDateTimeSchema };

/**
 * One entry of a resident's ordered log. Every change to a conversation is an entry with the next
 * sequence number; clients pull "entries after N" and keep N, so missed hints, retries and days
 * offline are harmless.
 */
export const logEntrySchema = z.discriminatedUnion("kind", [
  z.object({ ...entry, kind: z.literal("message"), message: messageSchema }),
  /** The sender took it back: every client drops it (and its photos). */
  z.object({ ...entry, kind: z.literal("message_deleted"), messageId: uuidv7Schema }),
  /** The tablet has stored it ("delivered") or shown it for a few seconds ("seen"). */
  z.object({ ...entry, kind: z.literal("receipt"), messageId: uuidv7Schema, state: receiptStateSchema }),
  z.object({ ...entry, kind: z.literal("reply"), reply: replySchema }),
]);
export type LogEntry = z.infer<typeof logEntrySchema>;
export type LogEntryKind = LogEntry["kind"];

export const quietHoursSchema = z.object({ start: timeOfDaySchema, end: timeOfDaySchema });
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const TEXT_SIZES = ["large", "larger", "largest"] as const;

/** What staff choose for a resident's tablet; sent with every sync so the tablet is never stale for long. */
export const residentSettingsSchema = z.object({
  preferredName: z.string(),
  language: languageSchema,
  replyOptions: z.array(z.string().trim().min(1).max(LIMITS.replyTextMax)).max(LIMITS.replyOptionsMax),
  /** The screen dims to a night clock and does not chime; null means no quiet hours. */
  quietHours: quietHoursSchema.nullable(),
  textSize: z.enum(TEXT_SIZES),
  /** Staff paused the resident (hospital stay, bereavement): the tablet shows a neutral screen. */
  paused: z.boolean(),
});
export type ResidentSettings = z.infer<typeof residentSettingsSchema>;

export const DEFAULT_REPLY_OPTIONS: Record<Language, string[]> = {
  "en-GB": ["Thank you ♥", "Lovely photo!", "Please ring me"],
  cy: ["Diolch ♥", "Llun hyfryd!", "Ffonia fi plîs"],
};

export const syncQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.syncPageMax).default(LIMITS.syncPageDefault),
});
export type SyncQuery = z.infer<typeof syncQuerySchema>;

/**
 * Which copy of the relay's log a page comes from. A restore from a backup gives the database a new
 * one: a cursor kept under another identity means nothing here, and the client reads again from
 * the start (applying the log twice changes nothing).
 */
export const logIdSchema = z.string().min(1).max(64);

export const syncPageSchema = z.object({
  entries: z.array(logEntrySchema),
  /** The cursor to keep: the seq of the last entry returned, or `after` when none were. */
  cursor: z.number().int().min(0),
  hasMore: z.boolean(),
  settings: residentSettingsSchema,
  logId: logIdSchema,
  /** The last seq of the resident's log: a cursor beyond it came from a log this relay does not have. */
  head: z.number().int().min(0),
});
export type SyncPage = z.infer<typeof syncPageSchema>;
