/** Limits shared by the relay (which enforces them) and the clients (which warn before sending). */
export const LIMITS = {
  messageTextMax: 2000,
  nameMax: 80,
  labelMax: 80,
  passwordMin: 12,
  passwordMax: 200,
  emailMax: 254,
  /** JSON bodies only; photo uploads get their own limit when they arrive. */
  jsonBodyMaxBytes: 64 * 1024,
  syncPageMax: 200,
  syncPageDefault: 50,
} as const;

export const SETUP_CODE = {
  /** Unambiguous letters and digits: no 0/O, 1/I/L, so a code read aloud is typed right. */
  alphabet: "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
  length: 8,
  ttlMinutes: 30,
} as const;

/** After this many wrong set-up codes or passwords from one source, further tries wait. */
export const FAILED_ATTEMPTS = {
  max: 5,
  windowMinutes: 15,
} as const;
