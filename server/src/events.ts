import type { LogEntryKind } from "@letterbox/shared";

/**
 * Something changed for a resident: an entry was appended to their log, or staff changed their
 * settings or wiped a tablet ("settings", with the log's seq unchanged). A hint for live
 * connections and push, never the data itself.
 */
export type LogEvent = {
  residentId: string;
  seq: number;
  kind: LogEntryKind | "settings";
  /** Whom a message is from, for a notification's words ("New message from Sarah"). */
  senderName?: string;
  /**
   * The family link whose message the entry is or concerns (a reply, a receipt, a deletion), so
   * that only those who may see it are told. Absent for settings, which concern everyone.
   */
  familyLinkId?: string;
};

type Listener = (event: LogEvent) => void;

/**
 * In-process fan-out of log events. A listener that throws is not allowed to stop the others or
 * the request that appended the entry.
 */
export class LogEvents {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LogEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
