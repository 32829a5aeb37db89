/** Whether the tablet is in quiet hours now: the service-worker updater applies updates only then. */
let night = false;
const listeners = new Set<() => void>();

export const isNight = () => night;

export function setNight(value: boolean) {
  if (value === night) return;
  night = value;
  for (const listener of listeners) listener();
}

export function onNightChange(listener: () => void) {
  listeners.add(listener);
}
