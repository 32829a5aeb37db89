import { describe, expect, it } from "vitest";
import { count, pluralWord } from "./plural";

describe("plural words", () => {
  it("says one and many in English", () => {
    const photos = { one: "photo", other: "photos" };
    expect(count("en-GB", 1, photos)).toBe("1 photo");
    expect(count("en-GB", 0, photos)).toBe("0 photos");
    expect(count("en-GB", 2, photos)).toBe("2 photos");
  });

  it("lets a catalogue give a word for each of Welsh's plural forms, and falls back to other", () => {
    const dogs = { zero: "cŵn", one: "ci", two: "gi", few: "chi", many: "chi", other: "ci" };
    expect([0, 1, 2, 3, 6, 7].map((n) => pluralWord("cy", n, dogs))).toEqual(["cŵn", "ci", "gi", "chi", "chi", "ci"]);
    expect(pluralWord("cy", 2, { other: "neges" })).toBe("neges");
  });
});
