import { useEffect, useState } from "react";
import { db } from "../db/db";
import { pullLog } from "./relay";
import { syncNow } from "./sync";

/** Until push arrives, a short poll keeps the tablet within a few seconds of the relay. */
const POLL_MS = 3_000;

export type Connection = "unknown" | "online" | "offline";

/** Keeps the tablet's copy of the log up to date while the app is open; reports whether the relay answers. */
export function useSync(paired: boolean): Connection {
  const [connection, setConnection] = useState<Connection>("unknown");
  useEffect(() => {
    if (!paired) return;
    let stopped = false;
    let running = false;
    const run = async () => {
      if (running || stopped) return;
      running = true;
      try {
        await syncNow(db, pullLog);
        if (!stopped) setConnection("online");
      } catch {
        // Offline is normal for a tablet: the saved messages stay on screen and the next try catches up.
        if (!stopped) setConnection("offline");
      } finally {
        running = false;
      }
    };
    void run();
    const timer = setInterval(run, POLL_MS);
    const onOnline = () => void run();
    const onOffline = () => setConnection("offline");
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
    };
  }, [paired]);
  return connection;
}
