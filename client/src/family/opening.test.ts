import { type Conversation, type FamilyMe, FIRST_SCREEN_ASKED } from "@letterbox/shared";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { RelayError } from "../api/relay-error";
import { askFirst, type FirstAnswers, openConversation } from "./opening";

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

describe("the answers the page's head asked for", () => {
  const json = (body: unknown) =>
    Promise.resolve(new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } }));
  const fetched: string[] = [];
  beforeEach(() => {
    fetched.length = 0;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
      const url = input instanceof Request ? input.url : String(input);
      fetched.push(new URL(url, "http://relay.test").pathname);
      return new Response(JSON.stringify({ from: "the app" }), { headers: { "content-type": "application/json" } });
    });
    return () => {
      vi.unstubAllGlobals();
      delete (globalThis as Record<string, unknown>)[FIRST_SCREEN_ASKED];
    };
  });
  const askedInHead = (token: string) => {
    (globalThis as Record<string, unknown>)[FIRST_SCREEN_ASKED] = {
      token,
      me: json({ from: "the head", what: "me" }),
      conversation: json({ from: "the head", what: "conversation" }),
    };
  };

  it("are the page's for their token, read as the app's own, and taken once", async () => {
    askedInHead("abc");
    const first = askFirst("abc");
    expect(await first.me).toEqual({ from: "the head", what: "me" });
    expect(await first.conversation).toEqual({ from: "the head", what: "conversation" });
    expect(fetched).toEqual([]);
    // Asked again (Try again once there is signal): the relay is asked afresh.
    expect(await askFirst("abc").conversation).toEqual({ from: "the app" });
    expect(fetched).toEqual(["/api/family/me", "/api/family/conversation"]);
  });

  it("are not taken for another token", async () => {
    askedInHead("abc");
    expect(await askFirst("other").me).toEqual({ from: "the app" });
    expect(fetched).toEqual(["/api/family/me", "/api/family/conversation"]);
  });

  it("say the relay's refusal as the app's own call would", async () => {
    (globalThis as Record<string, unknown>)[FIRST_SCREEN_ASKED] = {
      token: "abc",
      me: Promise.resolve(
        new Response(JSON.stringify({ error: { code: "link_revoked", message: "This link was turned off." } }), {
          status: 410,
          headers: { "content-type": "application/json" },
        }),
      ),
      conversation: json({}),
    };
    await expect(askFirst("abc").me).rejects.toMatchObject({ code: "link_revoked" });
  });
});
