import { afterEach, describe, expect, it, vi } from "vitest";
import { readBattery } from "./device-status";

describe("the battery reading", () => {
  afterEach(() => vi.useRealTimers());

  it("is the level in whole percent and whether it charges, where the browser has the Battery Status API", async () => {
    expect(await readBattery({ getBattery: async () => ({ level: 0.123456, charging: false }) })).toEqual({
      level: 0.12,
      charging: false,
    });
    expect(await readBattery({ getBattery: async () => ({ level: 1, charging: true }) })).toEqual({ level: 1, charging: true });
  });

  it("is nothing, never an error, where the browser has no such API or refuses it", async () => {
    expect(await readBattery({})).toBeNull();
    expect(await readBattery({ getBattery: () => Promise.reject(new DOMException("denied", "NotAllowedError")) })).toBeNull();
    expect(await readBattery({ getBattery: async () => ({ level: Number.NaN, charging: false }) })).toBeNull();
    expect(await readBattery({ getBattery: async () => ({ level: 0.5 }) as never })).toBeNull();
  });

  it("is nothing when the browser never answers, so the rest of the report still goes", async () => {
    vi.useFakeTimers();
    const reading = readBattery({ getBattery: () => new Promise(() => {}) });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await reading).toBeNull();
  });
});
