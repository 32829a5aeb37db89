import { SETUP_CODE } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import {
  BoundedHasher,
  hashPassword,
  hashToken,
  newSetupCode,
  newToken,
  type PasswordHasher,
  verifyPassword,
} from "./credentials";

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

describe("BoundedHasher", () => {
  /** An inner hasher whose every hash waits until the test lets it finish. */
  function gated() {
    const running: { password: string; finish: () => void }[] = [];
    const inner: PasswordHasher = {
      hash: (password) => new Promise((resolve) => running.push({ password, finish: () => resolve(`hash of ${password}`) })),
      verify: (password) => new Promise((resolve) => running.push({ password, finish: () => resolve(true) })),
    };
    return { inner, running };
  }
  const limits = { concurrent: 2, queued: 3, retryAfterSeconds: 1 };

  it("hashes at most `concurrent` at once, queues a few in order, and refuses the rest as busy", async () => {
    const { inner, running } = gated();
    const hasher = new BoundedHasher(inner, limits);
    const results = ["a", "b", "c", "d", "e", "f"].map((p, i) =>
      (i % 2 ? hasher.verify(p, "stored") : hasher.hash(p)).then(
        (v) => ({ ok: v }),
        (e: unknown) => ({ refused: e }),
      ),
    );
    expect(running.map((r) => r.password)).toEqual(["a", "b"]);
    const refused = (await results[5]) as { refused: AppError };
    expect(refused.refused).toBeInstanceOf(AppError);
    expect(refused.refused.code).toBe("busy");
    expect(refused.refused.retryAfterSeconds).toBe(1);

    // Each one finished lets the next in line start, never more than two at a time.
    running[0]?.finish();
    await expect.poll(() => running.length).toBe(3);
    expect(running.map((r) => r.password)).toEqual(["a", "b", "c"]);
    running[1]?.finish();
    running[2]?.finish();
    await expect.poll(() => running.length).toBe(5);
    expect(running.map((r) => r.password)).toEqual(["a", "b", "c", "d", "e"]);
    running[3]?.finish();
    running[4]?.finish();
    expect((await Promise.all(results.slice(0, 5))).map((r) => "ok" in r && r.ok)).toEqual([
      "hash of a",
      true,
      "hash of c",
      true,
      "hash of e",
    ]);
  });

  it("frees the place of a hash that fails", async () => {
    let calls = 0;
    const hasher = new BoundedHasher(
      {
        hash: async () => {
          calls++;
          throw new Error("out of memory");
        },
        verify: async () => true,
      },
      { concurrent: 1, queued: 0, retryAfterSeconds: 1 },
    );
    await expect(hasher.hash("a")).rejects.toThrow("out of memory");
    await expect(hasher.hash("b")).rejects.toThrow("out of memory");
    expect(calls).toBe(2);
  });
});
