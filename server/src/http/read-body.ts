import type { Context } from "hono";
import { AppError } from "../errors";

/**
 * Reads a raw upload into memory, refusing it as soon as it proves larger than `maxBytes`: at once
 * from a Content-Length that says so, otherwise at the chunk that passes the limit, so no more
 * than the limit plus one chunk is ever held. Errors are photo_* because photos are the only raw
 * uploads the relay takes.
 *
 * The rest of a refused body is left unread rather than cancelled: cancelling would make the Node
 * adapter destroy the socket before the 413 is written, and the phone would see a network error
 * instead of a sentence. The adapter drains or closes the connection once the response is sent.
 */
export async function readBodyLimited(c: Context, maxBytes: number): Promise<Buffer> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  const body = c.req.raw.body;
  if (!body) throw empty();
  const reader = body.getReader();
  // With a declared length the body goes straight into one buffer of that size: no list of chunks
  // and no copy of them at the end, so an upload costs its size in memory once, not twice.
  let into: Buffer =
    declared !== undefined && /^\d+$/.test(declared.trim()) ? Buffer.allocUnsafe(Number(declared)) : Buffer.alloc(0);
  let total = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw interrupted(err);
      }
      if (chunk.done) break;
      const end = total + chunk.value.byteLength;
      if (end > maxBytes) throw tooLarge(maxBytes);
      if (end > into.length) into = grown(into, total, end, maxBytes);
      into.set(chunk.value, total);
      total = end;
    }
  } finally {
    reader.releaseLock();
  }
  if (total === 0) throw empty();
  return total === into.length ? into : into.subarray(0, total);
}

/** A bigger buffer with the first `used` bytes of `from`: doubling (up to the limit), so a body without a length is copied O(log n) times. */
function grown(from: Buffer, used: number, atLeast: number, maxBytes: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(atLeast, Math.min(maxBytes, Math.max(from.length * 2, 64 * 1024))));
  from.copy(next, 0, 0, used);
  return next;
}

function tooLarge(maxBytes: number) {
  const megabytes = maxBytes / (1024 * 1024);
  const limit = Number.isInteger(megabytes) ? `${megabytes} MB` : `${Math.round(megabytes * 10) / 10} MB`;
  return new AppError(
    "photo_too_large",
    `This photo is larger than ${limit}, the most Letterbox takes. Please choose a smaller photo.`,
  );
}

function empty() {
  return new AppError("photo_unreadable", "The photo arrived empty. Please choose it again.");
}

/** The connection dropped mid-upload: the phone may not hear this answer, but the log stays calm. */
function interrupted(cause: unknown) {
  const error = new AppError("photo_unreadable", "The photo did not arrive completely. Please try sending it again.");
  error.cause = cause;
  return error;
}
