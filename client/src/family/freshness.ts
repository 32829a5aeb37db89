/** Where the family page's live connection to the relay stands. */
export type LiveConnection = "connecting" | "open" | "down";

/**
 * Whether a timer tick should fetch the conversation. An open live connection hints every change
 * and the page fetches when it (re)opens, so polling alongside it only spends the phone's data and
 * battery; until it opens, or once it drops, the timer is what keeps receipts and replies coming.
 * A hidden page asks nothing.
 */
export function shouldPoll(visible: boolean, live: LiveConnection): boolean {
  return visible && live !== "open";
}
