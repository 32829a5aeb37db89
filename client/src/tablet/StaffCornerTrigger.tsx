import { useRef } from "react";

/** Staff only: a long press (3 s) on the top-left corner, over the clock. Nothing shows that it is there. */
export const LONG_PRESS_MS = 3_000;

export function StaffCornerTrigger({ onOpen }: { onOpen: () => void }) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  return (
    <div
      className="staff-corner"
      aria-hidden="true"
      data-testid="staff-corner"
      onPointerDown={() => {
        cancel();
        timer.current = setTimeout(onOpen, LONG_PRESS_MS);
      }}
      onPointerUp={cancel}
      onPointerLeave={cancel}
      onPointerCancel={cancel}
    />
  );
}
