import { describe, expect, it } from "vitest";
import {
  BATTERY_LOW_LEVEL,
  batteryLowAndNotCharging,
  createFamilyLinkRequestSchema,
  LIMITS,
  tabletStatusRequestSchema,
  updateFamilyLinkRequestSchema,
} from "./index";

describe("a family link's relationship", () => {
  const relationship = (value: unknown) => createFamilyLinkRequestSchema.safeParse({ label: "Sarah", relationship: value });

  it("is trimmed, and blank means none", () => {
    expect(relationship("  daughter ").data?.relationship).toBe("daughter");
    expect(relationship("   ").data?.relationship).toBeNull();
    expect(createFamilyLinkRequestSchema.parse({ label: "Sarah" }).relationship).toBeUndefined();
  });

  it(`is at most ${LIMITS.relationshipMax} characters, on one line, and not a number`, () => {
    expect(relationship("a".repeat(LIMITS.relationshipMax)).success).toBe(true);
    expect(relationship("a".repeat(LIMITS.relationshipMax + 1)).success).toBe(false);
    expect(relationship("daughter\nand friend").success).toBe(false);
    expect(relationship(3).success).toBe(false);
  });

  it("leaves out “your” (or “eich”), which the tablet adds", () => {
    expect(relationship("your daughter").error?.issues[0]?.message).toBe("should leave out “your”: the tablet adds it");
    expect(relationship("Eich merch").success).toBe(false);
    expect(relationship("younger brother").data?.relationship).toBe("younger brother");
  });

  it("is changed apart from the name, and null clears it", () => {
    expect(updateFamilyLinkRequestSchema.parse({ relationship: "" })).toEqual({ relationship: null });
    expect(updateFamilyLinkRequestSchema.parse({ label: " Sal " })).toEqual({ label: "Sal" });
    expect(updateFamilyLinkRequestSchema.safeParse({ label: "" }).success).toBe(false);
    expect(updateFamilyLinkRequestSchema.safeParse({ displayName: "Sal" }).success).toBe(false);
  });
});

describe("the battery alert", () => {
  it(`is for a level at or below ${BATTERY_LOW_LEVEL * 100}% while not charging`, () => {
    expect(batteryLowAndNotCharging({ level: 0.2, charging: false })).toBe(true);
    expect(batteryLowAndNotCharging({ level: 0.05, charging: false })).toBe(true);
    expect(batteryLowAndNotCharging({ level: 0.21, charging: false })).toBe(false);
    expect(batteryLowAndNotCharging({ level: 0.05, charging: true })).toBe(false);
  });

  it("is never raised without a reading", () => {
    expect(batteryLowAndNotCharging(null)).toBe(false);
    expect(batteryLowAndNotCharging(undefined)).toBe(false);
  });
});

describe("a tablet's status report", () => {
  const report = {
    appVersion: "1.4.2",
    language: "en-GB",
    storageUsedBytes: 0,
    storageQuotaBytes: null,
    storagePersisted: true,
    pushState: "subscribed",
  };
  it("carries the battery where the browser gives it, null where not, or nothing from an older app", () => {
    expect(tabletStatusRequestSchema.safeParse({ ...report, battery: { level: 0.5, charging: true } }).success).toBe(true);
    expect(tabletStatusRequestSchema.safeParse({ ...report, battery: null }).success).toBe(true);
    expect(tabletStatusRequestSchema.safeParse(report).success).toBe(true);
  });
  it("refuses a battery level outside 0 to 1, or a reading without charging", () => {
    expect(tabletStatusRequestSchema.safeParse({ ...report, battery: { level: 1.5, charging: true } }).success).toBe(false);
    expect(tabletStatusRequestSchema.safeParse({ ...report, battery: { level: -0.1, charging: true } }).success).toBe(false);
    expect(tabletStatusRequestSchema.safeParse({ ...report, battery: { level: 0.5 } }).success).toBe(false);
    expect(tabletStatusRequestSchema.safeParse({ ...report, battery: { level: 0.5, charging: true, time: 3 } }).success).toBe(
      false,
    );
  });
});
