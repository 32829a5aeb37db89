import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type LogEntry,
  logEntrySchema,
  pairRequestSchema,
  SETUP_CODE,
  type SendMessageRequest,
  sendMessageRequestSchema,
  syncQuerySchema,
} from "./index";

describe("types come from the schemas", () => {
  it("a log entry carries a message with its seq", () => {
    expectTypeOf<LogEntry>().toHaveProperty("seq").toEqualTypeOf<number>();
    expectTypeOf<Extract<LogEntry, { kind: "message" }>["message"]["text"]>().toEqualTypeOf<string>();
  });
  it("a send request is an id, a text and optional photos", () => {
    expectTypeOf<SendMessageRequest>().toEqualTypeOf<{ id: string; text: string; photos?: { id: string; caption?: string }[] }>();
  });
});

describe("setup codes", () => {
  it("forgive lower case, spaces and dashes as read aloud", () => {
    expect(pairRequestSchema.parse({ code: "abcd-efgh" }).code).toBe("ABCDEFGH");
    expect(pairRequestSchema.parse({ code: " ab cd ef gh " }).code).toBe("ABCDEFGH");
  });
  it("refuse characters that are never in a code", () => {
    expect(SETUP_CODE.alphabet).not.toMatch(/[01OIL]/);
    expect(pairRequestSchema.safeParse({ code: "ABCDEFG0" }).success).toBe(false);
    expect(pairRequestSchema.safeParse({ code: "ABCDEFG" }).success).toBe(false);
  });
});

describe("messages", () => {
  const id = "01936d3f-1a2b-7c3d-8e4f-0123456789ab";
  it("need a UUIDv7 id and a text that is not blank", () => {
    expect(sendMessageRequestSchema.safeParse({ id, text: "Hello" }).success).toBe(true);
    expect(sendMessageRequestSchema.safeParse({ id: "2f1b6a2e-3c4d-4e5f-8a9b-0123456789ab", text: "Hi" }).success).toBe(false);
    expect(sendMessageRequestSchema.safeParse({ id, text: "   " }).success).toBe(false);
  });
  it("reject fields the relay does not know", () => {
    expect(sendMessageRequestSchema.safeParse({ id, text: "Hi", senderName: "Someone else" }).success).toBe(false);
  });
});

describe("sync", () => {
  it("reads its query from strings with defaults", () => {
    expect(syncQuerySchema.parse({})).toEqual({ after: 0, limit: 50 });
    expect(syncQuerySchema.parse({ after: "7", limit: "10" })).toEqual({ after: 7, limit: 10 });
    expect(syncQuerySchema.safeParse({ after: "-1" }).success).toBe(false);
  });
  it("rejects an entry of a kind it does not know", () => {
    expect(logEntrySchema.safeParse({ seq: 1, at: "2026-11-28T10:00:00Z", kind: "mystery" }).success).toBe(false);
  });
});
