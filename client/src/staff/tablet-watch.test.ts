import type { Device } from "@letterbox/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RelayError } from "../api/relay-error";
import { watchForTablet } from "./tablet-watch";

const device = (id: string, over: Partial<Device> = {}): Device => ({
  id,
  pairedAt: "2026-11-28T10:00:00Z",
  lastSeenAt: null,
  online: false,
  appVersion: null,
  language: null,
  pushState: null,
  pushFailingSince: null,
  pushProblem: null,
  storageUsedBytes: null,
  storageQuotaBytes: null,
  storagePersisted: null,
  battery: null,
  wipedAt: null,
  ...over,
});

describe("waiting for the tablet to pair", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reports the new tablet, then its status when it arrives, and stops polling", async () => {
    const answers: Device[][] = [
      [device("old")],
      [device("old"), device("new")],
      [device("old"), device("new", { pushState: "subscribed", storagePersisted: true })],
    ];
    const list = vi.fn(async () => answers.shift() ?? []);
    const seen: Device[] = [];
    watchForTablet({ knownIds: new Set(["old"]), list, onTablet: (d) => seen.push(d), onGiveUp: vi.fn(), isFatal: () => false });

    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen.map((d) => [d.id, d.pushState])).toEqual([["new", null]]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen.map((d) => [d.id, d.pushState])).toEqual([
      ["new", null],
      ["new", "subscribed"],
    ]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(list).toHaveBeenCalledTimes(3);
  });

  it("ignores a wiped tablet, keeps going after a network blip, and gives up when signed out", async () => {
    const signedOut = new RelayError(401, "unauthenticated", "Please sign in.");
    const answers: (Device[] | Error)[] = [
      [device("wiped", { wipedAt: "2026-11-28T10:01:00Z" })],
      new RelayError(0, "network", "x"),
      signedOut,
    ];
    const list = vi.fn(async () => {
      const next = answers.shift() ?? [];
      if (next instanceof Error) throw next;
      return next;
    });
    const onTablet = vi.fn();
    const onGiveUp = vi.fn();
    watchForTablet({ knownIds: new Set(), list, onTablet, onGiveUp, isFatal: (e) => e === signedOut });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(onTablet).not.toHaveBeenCalled();
    expect(onGiveUp).toHaveBeenCalledWith(signedOut);
    expect(list).toHaveBeenCalledTimes(3);
  });

  it("stops when the page is left", async () => {
    const list = vi.fn(async () => [] as Device[]);
    const stop = watchForTablet({ knownIds: new Set(), list, onTablet: vi.fn(), onGiveUp: vi.fn(), isFatal: () => false });
    await vi.advanceTimersByTimeAsync(3_000);
    stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(list).toHaveBeenCalledTimes(1);
  });
});
