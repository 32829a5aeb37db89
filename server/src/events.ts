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
type Registration = { listener: Listener; ownOnly: boolean };

/**
 * Fan-out of log events. `emit` is for what this relay instance wrote; `receive` for what another
 * instance on the same database wrote (db/postgres-fan-out.ts). Live connections hear both; what
 * must happen once per entry (sending push) listens with `ownOnly`, so only the writer does it. A
 * listener that throws is not allowed to stop the others or the request that appended the entry.
 */
export class LogEvents {
  private readonly registrations = new Set<Registration>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  on(listener: Listener, { ownOnly = false }: { ownOnly?: boolean } = {}): () => void {
    const registration = { listener, ownOnly };
    this.registrations.add(registration);
    return () => this.registrations.delete(registration);
  }

  /** This instance appended the entry (or changed the settings). */
  emit(event: LogEvent): void {
    this.deliver(event, false);
  }

  /** Another instance did. */
  receive(event: LogEvent): void {
    this.deliver(event, true);
  }

  private deliver(event: LogEvent, fromElsewhere: boolean) {
    for (const { listener, ownOnly } of this.registrations) {
      if (fromElsewhere && ownOnly) continue;
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  get listenerCount(): number {
    return this.registrations.size;
  }
}
