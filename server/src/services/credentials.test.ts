import { SETUP_CODE } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { hashPassword, hashToken, newSetupCode, newToken, verifyPassword } from "./credentials";

describe("tokens", () => {
  it("are 256 random bits as 43 base64url characters, never repeated", () => {
    const tokens = Array.from({ length: 200 }, newToken);
    for (const t of tokens) expect(Buffer.from(t, "base64url")).toHaveLength(32);
    expect(tokens.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("hash to the same value every time, and to something other than the token", () => {
    const token = newToken();
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).not.toBe(token);
    expect(hashToken(token)).not.toBe(hashToken(newToken()));
  });
});

describe("set-up codes", () => {
  it("are 8 characters from the unambiguous alphabet, using all of it", () => {
    const codes = Array.from({ length: 500 }, newSetupCode);
    for (const code of codes) expect(code).toMatch(new RegExp(`^[${SETUP_CODE.alphabet}]{${SETUP_CODE.length}}$`));
    // 4,000 characters drawn from 31: every one of them turns up.
    expect(new Set(codes.join("")).size).toBe(SETUP_CODE.alphabet.length);
  });
});

describe("passwords", () => {
  it("verify against their own hash only", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", stored)).toBe(false);
  });

  it("are salted, so one password gives different hashes", async () => {
    expect(await hashPassword("same password here")).not.toBe(await hashPassword("same password here"));
  });

  it("are compared after Unicode normalisation, so the same letters typed another way still match", async () => {
    const composed = "caf\u00e9 au lait please";
    const decomposed = "cafe\u0301 au lait please";
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it("never match a hash in an unknown format", async () => {
    expect(await verifyPassword("anything", "")).toBe(false);
    expect(await verifyPassword("anything", "bcrypt$2b$10$abc")).toBe(false);
  });
});
