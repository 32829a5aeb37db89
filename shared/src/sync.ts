import { z } from "zod";
import { isoDateTimeSchema, uuidv7Schema } from "./ids";
import { LIMITS } from "./limits";

/** A message as every client sees it. */
export const messageSchema = z.object({
  id: uuidv7Schema,
  senderName: z.string(),
  text: z.string(),
  sentAt: isoDateTimeSchema,
});
export type Message = z.infer<typeof messageSchema>;

/**
 * One entry of a resident's ordered log. Every change to a conversation is an entry with the next
 * sequence number; clients pull "entries after N" and keep N, so missed hints, retries and days
 * offline are harmless.
 */
export const logEntrySchema = z.discriminatedUnion("kind", [
  z.object({
    seq: z.number().int().positive(),
    at: isoDateTimeSchema,
    kind: z.literal("message"),
    message: messageSchema,
  }),
]);
export type LogEntry = z.infer<typeof logEntrySchema>;

export const syncQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.syncPageMax).default(LIMITS.syncPageDefault),
});
export type SyncQuery = z.infer<typeof syncQuerySchema>;

export const syncPageSchema = z.object({
  entries: z.array(logEntrySchema),
  /** The cursor to keep: the seq of the last entry returned, or `after` when none were. */
  cursor: z.number().int().min(0),
  hasMore: z.boolean(),
});
export type SyncPage = z.infer<typeof syncPageSchema>;
