/**
 * For tests about sockets: a raw HTTP/1.1 connection to a relay on a real port, which writes
 * exactly what it is told and keeps everything it receives, so a test can tell a complete answer
 * from a cut one and a clean close from a reset.
 */
import net from "node:net";

export type Parsed = { status: number; headers: Record<string, string>; body: string };

/** A raw HTTP/1.1 connection: what it received, split into complete responses, and how it ended. */
export async function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let data = "";
  const listeners: (() => void)[] = [];
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    data += chunk;
    for (const l of listeners.splice(0)) l();
  });
  const ended = new Promise<{ error?: string }>((resolve) => {
    let error: string | undefined;
    socket.on("error", (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on("close", () => resolve({ error }));
  });
  await new Promise((resolve) => socket.once("connect", resolve));
  const responses = () => parseResponses(data);
  return {
    socket,
    ended,
    responses,
    get: (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`),
    write: (text: string) => socket.write(text),
    untilResponses: async (n: number) => {
      while (responses().complete.length < n) await new Promise<void>((resolve) => listeners.push(resolve));
    },
  };
}

/** Splits what a connection received into whole responses (Content-Length or chunked) and a rest. */
export function parseResponses(data: string): { complete: Parsed[]; rest: string } {
  const complete: Parsed[] = [];
  let rest = data;
  for (;;) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd < 0) break;
    const [statusLine = "", ...headerLines] = rest.slice(0, headEnd).split("\r\n");
    const headers = Object.fromEntries(
      headerLines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );
    let body = "";
    let after = headEnd + 4;
    if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      if (rest.length < after + length) break;
      body = rest.slice(after, after + length);
      after += length;
    } else if (headers["transfer-encoding"] === "chunked") {
      let done = false;
      for (;;) {
        const sizeEnd = rest.indexOf("\r\n", after);
        if (sizeEnd < 0) break;
        const size = Number.parseInt(rest.slice(after, sizeEnd), 16);
        if (rest.length < sizeEnd + 2 + size + 2) break;
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        after = sizeEnd + 2 + size + 2;
        if (size === 0) {
          done = true;
          break;
        }
      }
      if (!done) break;
    }
    complete.push({ status: Number(statusLine.split(" ")[1]), headers, body });
    rest = rest.slice(after);
  }
  return { complete, rest };
}
