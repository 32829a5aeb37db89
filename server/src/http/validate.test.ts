import { pairRequestSchema, sendMessageRequestSchema, syncQuerySchema } from "@letterbox/shared";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { silentLogger } from "../log";
import { onError } from "./errors";
import { describeIssues, validate } from "./validate";

const ID = "019ac9a0-0000-7000-8000-000000000000";

/** A one-route app that validates like the relay does and answers with the error message. */
async function messageFor(target: "json" | "query", schema: z.ZodType, input: unknown) {
  const app = new Hono().post("/", validate(target, schema), (c) => c.json({ ok: true })).onError(onError(silentLogger));
  const res =
    target === "json"
      ? await app.request("/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) })
      : await app.request(`/?${new URLSearchParams(input as Record<string, string>)}`, { method: "POST" });
  expect(res.status).toBe(400);
  const { error } = (await res.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe("invalid_request");
  return error.message;
}

describe("validation messages", () => {
  it.each([
    ["a missing field", sendMessageRequestSchema, { id: ID }, "“text” is missing."],
    ["a field of the wrong type (not called missing)", sendMessageRequestSchema, { id: ID, text: 5 }, "“text” must be text."],
    ["one unknown field", sendMessageRequestSchema, { id: ID, text: "Hi", colour: "red" }, "Unknown field: colour."],
    ["several unknown fields", sendMessageRequestSchema, { id: ID, text: "Hi", a: 1, b: 2 }, "Unknown fields: a, b."],
    ["a body that is not an object", sendMessageRequestSchema, [1, 2], "The request body must be a JSON object."],
    ["a body that is null", sendMessageRequestSchema, null, "The request body must be a JSON object."],
    ["the schema's own wording", sendMessageRequestSchema, { id: "not-an-id", text: "Hi" }, "“id” must be a UUIDv7."],
    [
      "a set-up code with a letter never used",
      pairRequestSchema,
      { code: "ABCD0FGH" },
      "“code” has a character that is never in a set-up code.",
    ],
    ["an email address that is not one", z.object({ email: z.email() }), { email: "nobody" }, "“email” is not an email address."],
    ["a string that is too short", z.object({ name: z.string().min(2) }), { name: "A" }, "“name” must be at least 2 characters."],
  ])("words %s plainly", async (_what, schema, input, expected) => {
    expect(await messageFor("json", schema, input)).toBe(expected);
  });

  it.each([
    [{ after: "-1" }, "“after” must be 0 or more."],
    [{ after: "abc" }, "“after” must be a number."],
    [{ after: "1.5" }, "“after” must be a whole number."],
    [{ limit: "1000" }, "“limit” must be 200 or less."],
    [{ limit: "0" }, "“limit” must be 1 or more."],
    [{ cursor: "3" }, "Unknown field: cursor."],
  ])("words the sync query %o plainly", async (query, expected) => {
    expect(await messageFor("query", syncQuerySchema, query)).toBe(expected);
  });

  it("names at most three problems", async () => {
    const schema = z.strictObject({ a: z.string(), b: z.string(), c: z.string(), d: z.string() });
    expect(await messageFor("json", schema, {})).toBe("“a” is missing. “b” is missing. “c” is missing.");
  });

  it("words a plain parse the same way, as the command line uses it", () => {
    const result = sendMessageRequestSchema.safeParse({ id: ID, text: 5, extra: true });
    expect(result.error && describeIssues(result.error)).toBe("“text” must be text. Unknown field: extra.");
  });

  it("passes valid input on, transformed by the schema", async () => {
    const app = new Hono().post("/", validate("json", pairRequestSchema), (c) => c.json(c.req.valid("json")));
    const res = await app.request("/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: "abcd-efgh" }),
    });
    expect(await res.json()).toEqual({ code: "ABCDEFGH" });
  });
});
