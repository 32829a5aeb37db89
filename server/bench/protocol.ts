/** Messages between relay.bench.ts (the load generator) and bench-server.ts (the relay under test), over IPC. */

export type ServerReady = {
  type: "ready";
  /** A bare Hono JSON route: the ceiling any route on this machine can reach. */
  baselinePort: number;
  relayPort: number;
  deviceToken: string;
  familyToken: string;
  /** The resident's last sequence number once the log has been seeded. */
  latestSeq: number;
  journalMode: string;
  synchronous: number;
};

export type ServerMessageCount = { type: "message-count"; count: number };
export type ServerFailed = { type: "failed"; error: string };
export type FromServer = ServerReady | ServerMessageCount | ServerFailed;

export type ToServer = { type: "count-messages" } | { type: "stop" };
