import { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../errors";

/**
 * The size limit for JSON bodies, without building a web Request for them.
 *
 * Hono's own bodyLimit reads `c.req.raw.body`, and asking the Node adapter for that makes it build
 * a whole Request, ReadableStream and AbortSignal for every POST: about a third of what a family
 * message cost. Most bodies declare their length (browsers always do for a string body), and
 * Node's HTTP parser delivers exactly that many bytes, so a declared length over the limit is
 * refused at once and one within it is left to the route, whose validator reads it the adapter's
 * cheap way (c.req.json()). Only a body without a length (chunked) is read here, straight from
 * Node's request, counting as it comes and refused at the chunk that passes the limit; what was
 * read is handed to the validator through Hono's body cache, so JSON still goes through the shared
 * schemas in one place.
 *
 * Outside a Node server (in-process tests, other runtimes) there is no parser to trust, so every
 * body is counted as it streams, from the web Request.
 *
 * A refused body's remainder is left unread (see read-body.ts): the adapter drains or closes the
 * connection once the 413 has been written.
 */
export function jsonBodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new AppError("body_too_large", `The request is larger than ${maxBytes / 1024} KB.`);
  return async (c, next) => {
    const declared = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (declared !== undefined && !chunked && Number(declared) > maxBytes) throw tooLarge();

    const incoming = nodeRequest(c);
    if (incoming instanceof IncomingMessage && !chunked) {
      // HTTP/1.1: with a length, the parser holds the body to it; with neither header, there is none.
      return next();
    }
    const body = incoming ? await readNode(incoming, maxBytes) : await readWeb(c, maxBytes);
    if (body === "too_large") throw tooLarge();
    // Hono keeps a promise of the text there (its type says the text itself), and c.req.json() parses it.
    if (body !== undefined) c.req.bodyCache.text = Promise.resolve(utf8.decode(body)) as unknown as string;
    return next();
  };
}

const utf8 = new TextDecoder();

function nodeRequest(c: Context): Readable | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof Readable ? incoming : undefined;
}

/** The whole body from Node's request, or "too_large" as soon as it passes `maxBytes`. */
function readNode(incoming: Readable, maxBytes: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (done: () => void) => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
      done();
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        // Stop taking it in; the adapter resumes the stream to drain it after answering.
        incoming.pause();
        settle(() => resolve("too_large"));
      } else chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, total)));
    const onError = (err: Error) => settle(() => reject(err));
    // Closed before its end: the sender hung up (the error handler tells that from a fault).
    const onClose = () => settle(() => reject(new Error("The request did not arrive completely.")));
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
    incoming.on("close", onClose);
    // It may have ended or been cut off before anyone listened.
    if (incoming.errored) onError(incoming.errored);
    else if (incoming.destroyed && !incoming.readableEnded) onClose();
  });
}

/** The same from the web Request, where there is no Node request to read; undefined when it has no body. */
async function readWeb(c: Context, maxBytes: number): Promise<Uint8Array | "too_large" | undefined> {
  const stream = c.req.raw.body;
  if (!stream) return undefined;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) return "too_large";
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}
