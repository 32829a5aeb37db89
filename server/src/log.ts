/**
 * One JSON line per request and per notable event. Callers pass only metadata: never a token, a
 * password or the text of a message.
 */
export type Logger = (event: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  return (event, fields = {}) => write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
}

export const silentLogger: Logger = () => {};
