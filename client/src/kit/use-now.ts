import { useEffect, useState } from "react";

/**
 * The current time, refreshed on the boundaries of `everyMs` (every whole minute by default), so a
 * clock face turns over when the minute does and the screen is not redrawn more than it needs.
 */
export function useNow(everyMs = 60_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      setNow(new Date());
      timer = setTimeout(tick, everyMs - (Date.now() % everyMs) || everyMs);
    };
    timer = setTimeout(tick, everyMs - (Date.now() % everyMs) || everyMs);
    return () => clearTimeout(timer);
  }, [everyMs]);
  return now;
}
