import { DEFAULT_REPLY_OPTIONS, type Resident } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { checkResidentForm, formFromResident, namesMatch, residentPatch } from "./resident-form";

const margaret: Resident = {
  id: "r",
  fullName: "Margaret Jones",
  preferredName: "Margaret",
  createdAt: "2026-10-01T09:00:00Z",
  settings: {
    preferredName: "Margaret",
    language: "en-GB",
    replyOptions: DEFAULT_REPLY_OPTIONS["en-GB"],
    quietHours: { start: "21:00", end: "08:00" },
    textSize: "large",
    paused: false,
  },
  familySeesAll: false,
  retentionDays: 365,
  archivedAt: null,
};

describe("the resident's details and settings form", () => {
  it("sends nothing when nothing changed", () => {
    const form = formFromResident(margaret);
    expect(form.replies).toHaveLength(6);
    expect(residentPatch(margaret, form)).toEqual({});
    expect(checkResidentForm(form)).toEqual([]);
  });

  it("sends only what changed, with empty reply boxes dropped", () => {
    const form = {
      ...formFromResident(margaret),
      preferredName: " Nan ",
      replies: ["Thank you ♥", "", "Ring me", "", "", ""],
      quietHours: false,
      textSize: "largest" as const,
      familySeesAll: true,
      retentionDays: "90",
    };
    expect(residentPatch(margaret, form)).toEqual({
      preferredName: "Nan",
      replyOptions: ["Thank you ♥", "Ring me"],
      quietHours: null,
      textSize: "largest",
      familySeesAll: true,
      retentionDays: 90,
    });
  });

  it("moves default replies to the new language's defaults", () => {
    const form = { ...formFromResident(margaret), language: "cy" as const };
    expect(residentPatch(margaret, form)).toEqual({ language: "cy", replyOptions: DEFAULT_REPLY_OPTIONS.cy });
  });

  it("keeps replies staff wrote when the language changes", () => {
    const form = { ...formFromResident(margaret), language: "cy" as const, replies: ["Diolch Sarah", "", "", "", "", ""] };
    expect(residentPatch(margaret, form)).toEqual({ language: "cy", replyOptions: ["Diolch Sarah"] });
  });

  it("explains what is wrong before asking the relay", () => {
    const form = {
      ...formFromResident(margaret),
      fullName: " ",
      quietStart: "9pm",
      replies: ["x".repeat(201), "", "", "", "", ""],
      retentionDays: "3",
    };
    expect(checkResidentForm(form)).toEqual([
      { text: "Enter the resident’s full name", fieldId: "fullName" },
      { text: "Reply button 1 must be 200 characters or fewer", fieldId: "reply-0" },
      { text: "Enter when quiet hours start, like 21:00", fieldId: "quietStart" },
      { text: "Keep messages for between 7 and 3650 days", fieldId: "retentionDays" },
    ]);
    expect(checkResidentForm({ ...formFromResident(margaret), retentionDays: "a year" })[0]?.fieldId).toBe("retentionDays");
  });
});

describe("typing the name to erase", () => {
  it("forgives spaces and capitals, nothing else", () => {
    expect(namesMatch("  margaret   JONES ", "Margaret Jones")).toBe(true);
    expect(namesMatch("Margaret", "Margaret Jones")).toBe(false);
    expect(namesMatch("", "")).toBe(false);
  });
});
