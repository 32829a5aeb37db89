/**
 * Reads a server-sent events stream (the relay's live connections) and calls `onEvent` with the
 * name and data of each complete event. Both apps read it with fetch rather than EventSource,
 * which cannot send a bearer header.
 */
export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (name: string, data: string) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (;;) {
        const gap = /\r?\n\r?\n/.exec(buffer);
        if (!gap) break;
        const block = buffer.slice(0, gap.index);
        buffer = buffer.slice(gap.index + gap[0].length);
        let name = "message";
        const data: string[] = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        onEvent(name, data.join("\n"));
      }
    }
  } finally {
    reader.releaseLock();
  }
}
