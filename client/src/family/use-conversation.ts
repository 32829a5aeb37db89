import type { Conversation } from "@letterbox/shared";
import { useCallback, useEffect, useRef, useState } from "react";
import { RelayError } from "../api/relay-error";
import { doublingDelay } from "../kit/backoff";
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
 * The conversation, kept fresh while the page is visible: fetched at once when the relay's live
 * connection opens or hints that something changed (a receipt, a reply), and every few seconds
 * only while that connection is not open. A hidden page asks nothing: a phone in a pocket should
 * not spend battery on it.
 */
export function useConversation(token: string, initial: Conversation, onDeadLink: (err: RelayError) => void) {
  const [conversation, setConversation] = useState(initial);
  const [unreachable, setUnreachable] = useState(false);
  const visible = useVisible();
  const inFlight = useRef(false);
  const again = useRef(false);
  const live = useRef<LiveConnection>("connecting");

  const refresh = useCallback(async () => {
    if (inFlight.current) {
      again.current = true; // a hint arrived mid-fetch: fetch once more after, or it is lost
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        setConversation(await getConversation(token));
        setUnreachable(false);
      } while (again.current);
    } catch (err) {
      if (isDeadLink(err)) onDeadLink(err as RelayError);
      else if (err instanceof RelayError && err.code === "network") setUnreachable(true);
      // Anything else (a busy relay) is tried again on the next tick; the last good view stays.
    } finally {
      inFlight.current = false;
    }
  }, [token, onDeadLink]);

  useEffect(() => {
    if (!visible) return;
    void refresh();
    const timer = setInterval(() => {
      if (shouldPoll(document.visibilityState === "visible", live.current)) void refresh();
    }, POLL_EVERY_MS);
    const onOnline = () => void refresh();
    window.addEventListener("online", onOnline);
    return () => {
      clearInterval(timer);
      window.removeEventListener("online", onOnline);
    };
  }, [visible, refresh]);

  useEffect(() => {
    if (!visible) return;
    const stop = new AbortController();
    // A stopped loop winding down must not speak for the one that replaced it.
    const mark = (state: LiveConnection) => {
      if (!stop.signal.aborted) live.current = state;
    };
    void (async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        mark("connecting");
        let ended: "ended" | "replaced" = "ended";
        try {
          ended = await listenForChanges(
            token,
            () => void refresh(),
            // (Re)connected: what changed while there was no connection has had no hint.
            () => {
              mark("open");
              failures = 0;
              void refresh();
            },
            stop.signal,
          );
        } catch (err) {
          if (isDeadLink(err)) return onDeadLink(err as RelayError);
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
  }, [visible, token, refresh, onDeadLink]);

  return { conversation, unreachable, refresh };
}
