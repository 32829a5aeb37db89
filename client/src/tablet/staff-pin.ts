/**
 * The staff PIN chosen at pairing, kept only as PBKDF2-SHA-256 with a random salt. A PIN is short,
 * so the hash is no vault: it keeps the PIN from being read straight out of the tablet's storage,
 * and the corner slows down repeated guesses.
 */
export type PinHash = { salt: string; hash: string; iterations: number };

export const PIN_PATTERN = /^\d{4,12}$/;
const ITERATIONS = 100_000;

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (s: string) => new Uint8Array((s.match(/../g) ?? []).map((h) => Number.parseInt(h, 16)));

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    256,
  );
  return hex(bits);
}

export async function hashPin(pin: string, iterations = ITERATIONS): Promise<PinHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: hex(salt), hash: await derive(pin, salt, iterations), iterations };
}

export async function pinMatches(pin: string, stored: PinHash | undefined): Promise<boolean> {
  if (!stored || !PIN_PATTERN.test(pin)) return false;
  const candidate = await derive(pin, fromHex(stored.salt), stored.iterations);
  // Same length always; compare every character so the time does not depend on where they differ.
  let diff = candidate.length ^ stored.hash.length;
  for (let i = 0; i < candidate.length; i++) diff |= candidate.charCodeAt(i) ^ stored.hash.charCodeAt(i);
  return diff === 0;
}

/** After this many wrong PINs, the corner waits before taking another. */
export const PIN_TRIES = 5;
export const PIN_WAIT_MS = 60_000;
