import type { Conversation } from "@letterbox/shared";
import { RelayError } from "../api/relay-error";
import { isDeadLink } from "./text";

export type FeedState = { conversation: Conversation; unreachable: boolean };

type FeedOptions = {
  fetch: () => Promise<Conversation>;
  /** The link no longer works: the page says so and asks nothing more. */
  onDeadLink: (err: RelayError) => void;
};

/**
 * The conversation the family page shows, and when it is fetched again. Plain TypeScript, so the
 * rules below are tested without a browser; use-conversation.ts ties it to React.
 *
 * The live connection hints every change from the moment it opens, so the page needs only to
 * know that what it holds is current as of that moment. The relay opens the connection with the
 * conversation's version as of then (after it began to listen): the same version as the one the
 * page holds means nothing happened in between and no fetch is needed; any other, or none, and the
 * page fetches. A fetch already under way when the connection opens may have been answered from
 * before that moment, so its answer counts only if it is that version; otherwise the page fetches
 * once more.
 */
export class ConversationFeed {
  private state: FeedState;
  private readonly listeners = new Set<() => void>();
  private inFlight = false;
  /** A hint arrived mid-fetch: fetch once more after, or it is lost. */
  private again = false;
  /** What the live connection said as it last opened, until the page is known to hold it or later. */
  private catchUp: { version: string | undefined } | null = null;

  constructor(
    initial: Conversation,
    private readonly options: FeedOptions,
  ) {
    this.state = { conversation: initial, unreachable: false };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): FeedState => this.state;

  /** The live connection (re)opened, with the conversation's version as of then (if the relay said it). */
  opened(version: string | undefined): void {
    if (this.inFlight) {
      this.catchUp = { version };
      return;
    }
    if (version !== undefined && version === this.state.conversation.version) {
      this.catchUp = null; // current as of now, whatever an earlier opening left to check
      return;
    }
    this.catchUp = { version };
    void this.refresh();
  }

  /** Fetches the conversation now (a hint, the timer, the signal back), or once more after the fetch under way. */
  async refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    try {
      do {
        this.again = false;
        // Sent after the connection opened: its answer is at least as new as what it said.
        const sentAfter = this.catchUp;
        const conversation = await this.options.fetch();
        if (this.catchUp && (this.catchUp === sentAfter || this.catchUp.version === conversation.version)) {
          this.catchUp = null;
        }
        this.set({
          // The same version is the same conversation: keep the one on screen, so nothing is redrawn.
          conversation: conversation.version === this.state.conversation.version ? this.state.conversation : conversation,
          unreachable: false,
        });
      } while (this.again || this.catchUp);
    } catch (err) {
      if (isDeadLink(err)) this.options.onDeadLink(err as RelayError);
      else if (err instanceof RelayError && err.code === "network") this.set({ ...this.state, unreachable: true });
      // Anything else (a busy relay) is tried again on the next tick; the last good view stays.
    } finally {
      this.inFlight = false;
    }
  }

  private set(next: FeedState) {
    if (next.conversation === this.state.conversation && next.unreachable === this.state.unreachable) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
