import { describe, expect, it } from "vitest";
import { errorFrom, RelayError } from "../api/relay-error";
import { familyCy } from "../i18n/family-cy";
import { familyEnGB } from "../i18n/family-en-GB";
import { chooseText, isDeadLink, problemSentence } from "./text";

describe("chooseText", () => {
  it.each([
    ["cy", familyCy],
    ["cy-GB", familyCy],
    ["CY", familyCy],
    ["en-GB", familyEnGB],
    ["en-US", familyEnGB],
    ["fr", familyEnGB],
    [undefined, familyEnGB],
  ])("a phone in %s gets its own catalogue", (language, catalogue) => {
    expect(chooseText(language)).toBe(catalogue);
  });
});

describe("the Welsh catalogue", () => {
  it("has every text the English one has, and none left in English", () => {
    expect(Object.keys(familyCy).sort()).toEqual(Object.keys(familyEnGB).sort());
    const same = Object.entries(familyEnGB).filter(
      ([key, value]) => typeof value === "string" && key !== "appName" && value === familyCy[key as keyof typeof familyCy],
    );
    expect(same).toEqual([]);
    const args = [1, 2, 3] as const;
    const sameResult = Object.entries(familyEnGB).filter(([key, value]) => {
      if (typeof value !== "function") return false;
      const cy = familyCy[key as keyof typeof familyCy] as (...a: unknown[]) => string;
      return (value as (...a: unknown[]) => string)(...args) === cy(...args);
    });
    expect(sameResult).toEqual([]);
  });
});

describe("problemSentence", () => {
  const revoked = new RelayError(410, "link_revoked", "This link no longer works. Please ask the council for a new one.");

  it("shows the relay's own sentence in English", () => {
    const refused = new RelayError(415, "photo_type_unsupported", "This photo is in a format Letterbox cannot read.");
    expect(problemSentence(familyEnGB, refused)).toBe("This photo is in a format Letterbox cannot read.");
  });

  it("shows the Welsh sentence for the same code on a Welsh phone", () => {
    expect(problemSentence(familyCy, revoked)).toBe(familyCy.errors.link_revoked);
  });

  it("never shows a stack trace or nothing for something unexpected", () => {
    expect(problemSentence(familyEnGB, new TypeError("x is undefined"))).toBe(
      "Something went wrong. Please try again in a minute.",
    );
  });

  it("knows a dead link from a lost signal", () => {
    expect(isDeadLink(revoked)).toBe(true);
    expect(isDeadLink(new RelayError(401, "unauthenticated", "This link does not work."))).toBe(true);
    expect(isDeadLink(new RelayError(0, "network", "Letterbox could not be reached."))).toBe(false);
  });
});

describe("errorFrom", () => {
  it("reads the relay's error body", () => {
    const err = errorFrom(413, { error: { code: "photo_too_large", message: "This photo is too large." } });
    expect(err).toMatchObject({ status: 413, code: "photo_too_large", message: "This photo is too large.", transient: false });
  });

  it("turns anything else into a sentence a person can read", () => {
    expect(errorFrom(502, "<html>Bad gateway</html>")).toMatchObject({ code: "internal", transient: true });
    expect(errorFrom(500, null).message).toBe("Something went wrong. Please try again in a minute.");
  });

  it("counts no signal, a busy relay and a broken one as worth trying again later", () => {
    expect(new RelayError(0, "network", "").transient).toBe(true);
    expect(new RelayError(429, "too_many_attempts", "").transient).toBe(true);
    expect(new RelayError(503, "internal", "").transient).toBe(true);
    expect(new RelayError(409, "id_reused", "").transient).toBe(false);
  });
});
