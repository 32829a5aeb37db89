import type { Conversation } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { RelayError } from "../api/relay-error";
import { ConversationFeed } from "./conversation-feed";

const conversation = (version: string): Conversation => ({
  items: [],
  logId: "log-1",
  tablet: { lastSeenAt: null, quietHours: null, paused: false },
  version,
});

/** A relay whose answers the test gives one at a time, in the order they were asked for. */
function relay() {
  const asked: { resolve: (c: Conversation) => void; reject: (err: unknown) => void }[] = [];
  return {
    fetch: () => new Promise<Conversation>((resolve, reject) => asked.push({ resolve, reject })),
    get count() {
      return asked.length;
    },
    /** Answers the oldest question not yet answered, and lets the feed act on it. */
    async answer(c: Conversation | Error) {
      const next = asked.shift();
      if (!next) throw new Error("nothing was asked");
      if (c instanceof Error) next.reject(c);
      else next.resolve(c);
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

function feedOn(r: ReturnType<typeof relay>, initial = conversation("v1")) {
  const deadLinks: RelayError[] = [];
  const feed = new ConversationFeed(initial, { fetch: r.fetch, onDeadLink: (err) => deadLinks.push(err) });
  let redraws = 0;
  feed.subscribe(() => redraws++);
  return { feed, deadLinks, redraws: () => redraws };
}

describe("the conversation the family page shows", () => {
  it("is not fetched again when the live connection opens on the version the page opened with", () => {
    const r = relay();
    const { feed } = feedOn(r);
    feed.opened("v1");
    expect(r.count).toBe(0);
    expect(feed.getSnapshot().conversation.version).toBe("v1");
  });

  it("is fetched when the connection opens on another version: something changed before it listened", async () => {
    const r = relay();
    const { feed } = feedOn(r);
    feed.opened("v2");
    expect(r.count).toBe(1);
    await r.answer(conversation("v2"));
    expect(feed.getSnapshot().conversation.version).toBe("v2");
    expect(r.count).toBe(0);
  });

  it("is fetched when the connection says no version (an older relay)", () => {
    const r = relay();
    const { feed } = feedOn(r);
    feed.opened(undefined);
    expect(r.count).toBe(1);
  });

  it("is fetched once more when the connection opens during a fetch whose answer is not what it said", async () => {
    const r = relay();
    const { feed } = feedOn(r);
    void feed.refresh(); // the timer's, sent before the connection listened
    feed.opened("v3");
    expect(r.count).toBe(1);
    // Answered from before the connection listened: a change in between would be lost without another look.
    await r.answer(conversation("v2"));
    expect(r.count).toBe(1);
    await r.answer(conversation("v3"));
    expect(feed.getSnapshot().conversation.version).toBe("v3");
    expect(r.count).toBe(0);
  });

  it("takes a fetch under way as the catch-up when its answer is the version the connection said", async () => {
    const r = relay();
    const { feed } = feedOn(r);
    void feed.refresh();
    feed.opened("v2");
    await r.answer(conversation("v2"));
    expect(r.count).toBe(0);
    expect(feed.getSnapshot().conversation.version).toBe("v2");
  });

  it("takes any answer to a fetch sent after the connection opened as caught up", async () => {
    const r = relay();
    const { feed } = feedOn(r);
    feed.opened("v2");
    // Newer again by the time it was answered: still no older than the moment the connection listened.
    await r.answer(conversation("v3"));
    expect(r.count).toBe(0);
    expect(feed.getSnapshot().conversation.version).toBe("v3");
  });

  it("fetches once more after a hint that arrives mid-fetch, and not once per hint", async () => {
    const r = relay();
    const { feed } = feedOn(r);
    void feed.refresh();
    void feed.refresh();
    void feed.refresh();
    expect(r.count).toBe(1);
    await r.answer(conversation("v2"));
    expect(r.count).toBe(1);
    await r.answer(conversation("v3"));
    expect(r.count).toBe(0);
    expect(feed.getSnapshot().conversation.version).toBe("v3");
  });

  it("redraws nothing when an answer is the version already on screen", async () => {
    const r = relay();
    const initial = conversation("v1");
    const { feed, redraws } = feedOn(r, initial);
    void feed.refresh();
    await r.answer(conversation("v1"));
    expect(redraws()).toBe(0);
    expect(feed.getSnapshot().conversation).toBe(initial);
    void feed.refresh();
    await r.answer(conversation("v2"));
    expect(redraws()).toBe(1);
  });

  it("says when the relay cannot be reached, keeps what it had, and catches up once it can", async () => {
    const r = relay();
    const { feed } = feedOn(r);
    feed.opened("v2");
    await r.answer(new RelayError(0, "network"));
    expect(feed.getSnapshot()).toMatchObject({ unreachable: true, conversation: { version: "v1" } });
    void feed.refresh();
    await r.answer(conversation("v2"));
    expect(feed.getSnapshot()).toMatchObject({ unreachable: false, conversation: { version: "v2" } });
    expect(r.count).toBe(0);
  });

  it("hands a dead link to the page", async () => {
    const r = relay();
    const { feed, deadLinks } = feedOn(r);
    void feed.refresh();
    await r.answer(new RelayError(410, "link_revoked", "This link no longer works."));
    expect(deadLinks.map((e) => e.code)).toEqual(["link_revoked"]);
  });
});
