import { describe, expect, it } from "vitest";
import { actionWords, detailWords } from "./audit-words";

const entry = (action: string, detail: Record<string, unknown>) => ({
  at: "2026-11-28T10:00:00Z",
  staffName: "Priya Shah",
  action,
  residentId: null,
  detail,
  source: "127.0.0.1",
});

describe("the audit log in words", () => {
  it("says what each action was, and shows an unknown one as it is", () => {
    expect(actionWords("family_link.revoked")).toBe("Revoked a family link");
    expect(actionWords("tablet.wiped")).toBe("Wiped and unpaired a tablet");
    expect(actionWords("something.new")).toBe("something.new");
  });

  it("shows labels, roles and counts, and leaves ids to the CSV", () => {
    expect(detailWords(entry("family_link.created", { familyLinkId: "abc", label: "Sarah — daughter" }))).toBe(
      "who: Sarah — daughter",
    );
    expect(detailWords(entry("resident.updated", { fields: ["language", "quietHours"] }))).toBe("changed: language, quietHours");
    expect(detailWords(entry("staff.sessions_ended", { staffId: "x", sessions: 2 }))).toBe("sessions: 2");
  });
});
