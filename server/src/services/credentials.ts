import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { SETUP_CODE } from "@letterbox/shared";
import { AppError } from "../errors";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** 32 random bytes (256 bits) from the operating system's CSPRNG, as base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Tokens are kept only as SHA-256 hashes. Looking a hash up by index leaks nothing useful through
 * timing: an attacker would need to steer the hash, not the token.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export function newSetupCode(): string {
  let code = "";
  for (let i = 0; i < SETUP_CODE.length; i++) code += SETUP_CODE.alphabet[randomInt(SETUP_CODE.alphabet.length)];
  return code;
}

// scrypt with N=2^15, r=8 costs 32 MiB of memory per guess: slow for an attacker's GPU, about
// 60 ms for a sign-in here.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize("NFKC"), salt, SCRYPT.keylen, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await scryptAsync(password.normalize("NFKC"), Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

/** A password hash to verify against when the account does not exist, so both paths take as long. */
export const decoyPasswordHash = hashPassword("letterbox-decoy-password");

/** Makes and checks password hashes; services get one passed in, so tests can count and gate them. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export const scryptHasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

/**
 * How many password hashes the relay works on at once, and how many may wait. Each scrypt hash
 * holds 32 MiB while it runs, so two at a time keep the relay's memory flat whatever arrives
 * (two of them also keep both cores of a small server busy). Sixteen waiting is about a second's
 * work; past that the relay answers 429 `busy` with Retry-After rather than queue without end.
 */
export const HASHING = { concurrent: 2, queued: 16, retryAfterSeconds: 1 } as const;

/** A PasswordHasher that runs at most `concurrent` hashes at once, for the whole relay. */
export class BoundedHasher implements PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly inner: PasswordHasher = scryptHasher,
    private readonly limits: { concurrent: number; queued: number; retryAfterSeconds: number } = HASHING,
  ) {}

  hash(password: string): Promise<string> {
    return this.run(() => this.inner.hash(password));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.run(() => this.inner.verify(password, stored));
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrent) this.running++;
    else if (this.waiting.length < this.limits.queued) await new Promise<void>((start) => this.waiting.push(start));
    else {
      throw new AppError(
        "busy",
        "Letterbox is busy with other sign-ins. Please try again in a moment.",
        this.limits.retryAfterSeconds,
      );
    }
    try {
      return await work();
    } finally {
      // The place passes straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
