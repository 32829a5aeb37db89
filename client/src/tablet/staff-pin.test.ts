import { describe, expect, it } from "vitest";
import { hashPin, pinMatches } from "./staff-pin";

describe("the staff PIN", () => {
  it("is kept as a salted hash and matches only itself", async () => {
    const stored = await hashPin("2468", 1_000);
    expect(JSON.stringify(stored)).not.toContain("2468");
    expect(await pinMatches("2468", stored)).toBe(true);
    expect(await pinMatches("2469", stored)).toBe(false);
    expect(await pinMatches("", stored)).toBe(false);
    expect(await pinMatches("2468", undefined)).toBe(false);
  });

  it("uses a fresh salt each time", async () => {
    const [a, b] = await Promise.all([hashPin("2468", 1_000), hashPin("2468", 1_000)]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });
});
