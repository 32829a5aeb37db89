import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contrastRatio, customProperties } from "./contrast";

const read = (file: string) => readFileSync(new URL(file, import.meta.url), "utf8");
const forms = customProperties(read("./forms.css"));
const family = { ...forms, ...customProperties(read("../family/family.css")) };

// The enhanced contrast (AAA) level that every page of Letterbox meets for its text.
const AAA = 7;

/** Resolves `var(--x)` names against a sheet's properties, or takes a literal colour. */
function colour(sheet: Record<string, string>, name: string): string {
  if (name.startsWith("#")) return name;
  const value = sheet[name];
  if (!value) throw new Error(`${name} is not declared`);
  return value;
}

describe("contrastRatio", () => {
  it("gives the WCAG figures for black and white and for a colour with itself", () => {
    expect(contrastRatio("#000", "#fff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#777777")).toBeCloseTo(1, 5);
  });
});

describe("family page text", () => {
  it.each([
    ["--seen", "--mine"],
    ["--ink-soft", "--mine"],
    ["--ink-soft", "--theirs"],
    ["--ink-soft", "--notice"],
    ["--danger", "--mine"],
    ["--accent", "--paper"],
    ["--placeholder", "--paper"],
  ])("%s on %s is at least 7:1", (text, background) => {
    expect(contrastRatio(colour(family, text), colour(family, background))).toBeGreaterThanOrEqual(AAA);
  });
});

describe("staff console text", () => {
  const staff = { ...forms, ...customProperties(read("../staff/staff.css")) };
  it.each([
    ["--link", "--paper"],
    ["--link", "--panel"],
    ["--link-visited", "--paper"],
    ["--link-visited", "--panel"],
    ["--error", "--paper"],
    ["#ffffff", "--error"],
    ["#ffffff", "--accent"],
    ["--accent", "--paper"],
    ["--ink", "--panel"],
    ["--ink-soft", "--paper"],
    ["--ink-soft", "--panel"],
    ["#dcdcdc", "--ink"],
    ["--ink", "#ffdd00"],
    ["#2a0b06", "#f4cdc6"],
    ["#3d2f00", "#fff0a3"],
    ["#0c2d4a", "#d2e2f1"],
  ])("%s on %s is at least 7:1", (text, background) => {
    expect(contrastRatio(colour(staff, text), colour(staff, background))).toBeGreaterThanOrEqual(AAA);
  });
});
