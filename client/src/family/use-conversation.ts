import type { Conversation } from "@letterbox/shared";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { RelayError } from "../api/relay-error";
import { afterFirstPaint } from "../kit/after-first-paint";
import { doublingDelay } from "../kit/backoff";
import { ConversationFeed } from "./conversation-feed";
import { type LiveConnection, shouldPoll } from "./freshness";
import { getConversation, listenForChanges } from "./relay";
import { isDeadLink } from "./text";

/** Receipts and replies show up within this long while the page is in front of the family member and has no live connection. */
export const POLL_EVERY_MS = 4_000;
const LIVE_RETRY_MIN_MS = 2_000;
const LIVE_RETRY_MAX_MS = 60_000;

const subscribeVisibility = (onChange: () => void) => {
  document.addEventListener("visibilitychange", onChange);
  return () => document.removeEventListener("visibilitychange", onChange);
};

function useVisible() {
  const [visible, setVisible] = useState(() => document.visibilityState === "visible");
  useEffect(() => subscribeVisibility(() => setVisible(document.visibilityState === "visible")), []);
  return visible;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The conversation, kept fresh while the page is visible: fetched when the relay's live connection
 * hints that something changed (a receipt, a reply) or opens on a version other than the one on
 * screen (conversation-feed.ts), and every few seconds only while that connection is not open. The
 * conversation the page opened with is not fetched again at once: it is as fresh as it gets. A
 * hidden page asks nothing: a phone in a pocket should not spend battery on it.
 */
export function useConversation(token: string, initial: Conversation, onDeadLink: (err: RelayError) => void) {
  const deadLink = useRef(onDeadLink);
  deadLink.current = onDeadLink;
  const [feed] = useState(
    () => new ConversationFeed(initial, { fetch: () => getConversation(token), onDeadLink: (err) => deadLink.current(err) }),
  );
  const { conversation, unreachable } = useSyncExternalStore(feed.subscribe, feed.getSnapshot);
  const visible = useVisible();
  const live = useRef<LiveConnection>("connecting");
  const refresh = useCallback(() => feed.refresh(), [feed]);

  useEffect(() => {
    if (!visible) return;
    const timer = setInterval(() => {
      if (shouldPoll(document.visibilityState === "visible", live.current)) void feed.refresh();
    }, POLL_EVERY_MS);
    const onOnline = () => void feed.refresh();
    window.addEventListener("online", onOnline);
    return () => {
      clearInterval(timer);
      window.removeEventListener("online", onOnline);
    };
  }, [visible, feed]);

  useEffect(() => {
    if (!visible) return;
    const stop = new AbortController();
    // A stopped loop winding down must not speak for the one that replaced it.
    const mark = (state: LiveConnection) => {
      if (!stop.signal.aborted) live.current = state;
    };
    void (async () => {
      // Opened once the conversation is painted: the conversation on screen is already current.
      await afterFirstPaint();
      let failures = 0;
      while (!stop.signal.aborted) {
        mark("connecting");
        let ended: "ended" | "replaced" = "ended";
        try {
          ended = await listenForChanges(
            token,
            () => void feed.refresh(),
            // (Re)connected: what changed while there was no connection has had no hint.
            (version) => {
              mark("open");
              failures = 0;
              feed.opened(version);
            },
            stop.signal,
          );
        } catch (err) {
          if (isDeadLink(err)) return deadLink.current(err as RelayError);
        } finally {
          mark("down");
        }
        failures++;
        // Another tab or device with this link took the connection over: the timer still polls.
        await pause(
          ended === "replaced" ? LIVE_RETRY_MAX_MS : doublingDelay(failures, LIVE_RETRY_MIN_MS, LIVE_RETRY_MAX_MS),
          stop.signal,
        );
      }
    })();
    return () => {
      stop.abort();
      live.current = "connecting";
    };
  }, [visible, token, feed]);

  return { conversation, unreachable, refresh };
}
