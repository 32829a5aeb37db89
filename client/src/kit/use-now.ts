import { useEffect, useState } from "react";

/** The current time, refreshed every `everyMs` (a clock face needs no more than each few seconds). */
export function useNow(everyMs = 5_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
