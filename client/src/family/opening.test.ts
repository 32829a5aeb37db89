import type { Conversation, FamilyMe } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { RelayError } from "../api/relay-error";
import { type FirstAnswers, openConversation } from "./opening";

const me = (label: string) => ({ member: { label, displayName: null } }) as unknown as FamilyMe;
const conversation = (version: string): Conversation => ({
  items: [],
  logId: "log-1",
  tablet: { lastSeenAt: null, quietHours: null, paused: false },
  version,
});
const answered = (token: string, version: string): FirstAnswers => ({
  token,
  me: Promise.resolve(me(`me for ${token}`)),
  conversation: Promise.resolve(conversation(version)),
});

/** The phone's storage and the relay, recording what was asked of them. */
function deps({ kept = null as string | null, refused = false } = {}) {
  const asked: string[] = [];
  let storageAsked = 0;
  return {
    asked,
    storageAsked: () => storageAsked,
    deps: {
      stored: async () => {
        storageAsked++;
        if (refused) throw new Error("storage refused");
        return kept;
      },
      ask: (token: string) => {
        asked.push(token);
        return answered(token, "asked");
      },
    },
  };
}

describe("opening the family page", () => {
  it("takes the answers asked for as the page started, and asks the relay nothing more", async () => {
    const d = deps();
    const opened = await openConversation("abc", answered("abc", "early"), d.deps);
    expect(opened).toMatchObject({ kind: "ready", token: "abc", conversation: { version: "early" } });
    expect(d.asked).toEqual([]);
  });

  it("asks for itself when none were asked (opened from the home screen, or Try again)", async () => {
    const d = deps({ kept: "kept" });
    expect(await openConversation(null, undefined, d.deps)).toMatchObject({ kind: "ready", token: "kept" });
    expect(d.asked).toEqual(["kept"]);
    const again = deps();
    expect(await openConversation("abc", undefined, again.deps)).toMatchObject({
      token: "abc",
      conversation: { version: "asked" },
    });
    expect(again.asked).toEqual(["abc"]);
  });

  it("never uses answers asked for another token", async () => {
    const d = deps({ kept: "kept" });
    const opened = await openConversation(null, answered("other", "early"), d.deps);
    expect(opened).toMatchObject({ token: "kept", conversation: { version: "asked" } });
    expect(d.asked).toEqual(["kept"]);
  });

  it("leaves the phone's storage alone when the link is in the address", async () => {
    const d = deps({ kept: "kept" });
    expect(await openConversation("abc", answered("abc", "early"), d.deps)).toMatchObject({ kind: "ready", token: "abc" });
    expect(d.storageAsked()).toBe(0);
  });

  it("says there is no link when the phone refuses its storage and the address has none", async () => {
    const d = deps({ refused: true });
    expect(await openConversation(null, undefined, d.deps)).toEqual({ kind: "no-link" });
  });

  it("says there is no link when there is none in the address and none kept", async () => {
    const d = deps();
    expect(await openConversation(null, undefined, d.deps)).toEqual({ kind: "no-link" });
    expect(d.asked).toEqual([]);
  });

  it("hands back the relay's refusal of an early answer", async () => {
    const d = deps();
    const revoked = new RelayError(410, "link_revoked", "This link no longer works.");
    const early: FirstAnswers = { ...answered("abc", "early"), conversation: Promise.reject(revoked) };
    expect(await openConversation("abc", early, d.deps)).toEqual({ kind: "failed", error: revoked });
  });
});
