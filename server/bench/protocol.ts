/** Messages between relay.bench.ts (the load generator) and bench-server.ts (the relay under test), over IPC. */

/** How the relay's database makes a commit durable, so the bench can check it is the relay that ships. */
export type DatabaseDurability =
  | { engine: "sqlite"; journalMode: string; synchronous: number }
  | { engine: "postgres"; synchronousCommit: string; fsync: string };

/** The household the first relay on a database seeds; the logins every relay on it then accepts. */
export type Household = {
  deviceToken: string;
  familyToken: string;
  /** The resident's last sequence number once the log has been seeded. */
  latestSeq: number;
};

export type ServerReady = {
  type: "ready";
  /** A bare Hono JSON route: the ceiling any route on this machine can reach. */
  baselinePort: number;
  relayPort: number;
  database: DatabaseDurability;
  /** Null for a relay that joined a database another one seeded (BENCH_JOIN=1). */
  household: Household | null;
};

/** One resident's log as stored: gap-free and free of duplicates when every seq from 1 to lastSeq is there once. */
export type ResidentLog = {
  residentId: string;
  lastSeq: number;
  entries: number;
  distinctSeqs: number;
  minSeq: number | null;
  maxSeq: number | null;
  messages: number;
  distinctMessageSeqs: number;
  /** Messages without the log entry of their own seq pointing back at them. */
  messagesWithoutEntry: number;
};

/** One tablet of the reconnection storm: its token, the cursor it pulls after, and what that pull must bring. */
export type StormTablet = {
  deviceToken: string;
  /** The cursor the tablet held when the relay went away. */
  after: number;
  /** The resident's last seq: the cursor every pull must end on. */
  head: number;
  /** The entries its pull must bring (head − after: every seed message fits in one page). */
  entries: number;
};

export type ServerMessageCount = { type: "message-count"; count: number };
export type ServerLogCheck = { type: "log-check"; residents: ResidentLog[] };
export type ServerFailed = { type: "failed"; error: string };
/** The relay process's CPU time so far (user + system, process.cpuUsage), in microseconds. */
export type ServerCpu = { type: "cpu"; micros: number };
/** The storm's tablets, seeded; `seconds` is how long the seeding took. */
export type ServerStormSeeded = { type: "storm-seeded"; tablets: StormTablet[]; seconds: number };
export type FromServer = ServerReady | ServerMessageCount | ServerLogCheck | ServerFailed | ServerCpu | ServerStormSeeded;

export type ToServer =
  | { type: "count-messages" }
  | { type: "check-log" }
  | { type: "cpu" }
  | { type: "stop" }
  /** Seed `tablets` more residents, each with a paired tablet and a few messages, for the storm. */
  | { type: "seed-storm"; tablets: number };
