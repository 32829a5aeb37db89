import { useNow } from "../kit/use-now";
import { clockTime, dayAndDate } from "../kit/when";

export function ClockBar() {
  const now = useNow();
  return (
    <header className="clock-bar">
      <time className="clock-time" dateTime={now.toISOString()}>
        {clockTime(now)}
      </time>
      <span className="clock-date">{dayAndDate(now)}</span>
    </header>
  );
}
