import { useLiveQuery } from "dexie-react-hooks";
import { db } from "../db/db";
import { ClockBar } from "./ClockBar";
import { MessageScreen } from "./MessageScreen";
import { SetupScreen } from "./SetupScreen";
import { useSync } from "./use-sync";

export function App() {
  // null: not set up yet; undefined: still reading IndexedDB (show only the clock, never a spinner).
  const state = useLiveQuery(async () => (await db.state.get("tablet")) ?? null);
  const connection = useSync(Boolean(state));
  return (
    <div className="tablet">
      <ClockBar />
      {state === null && <SetupScreen />}
      {state && <MessageScreen connection={connection} lastSyncedAt={state.lastSyncedAt} />}
    </div>
  );
}
