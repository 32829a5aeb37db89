/** Limits shared by the relay (which enforces them) and the clients (which warn before sending). */
export const LIMITS = {
  messageTextMax: 2000,
  nameMax: 80,
  labelMax: 80,
  /** How the resident knows a family member ("daughter"): a word or two, said after "your". */
  relationshipMax: 40,
  passwordMin: 12,
  passwordMax: 200,
  emailMax: 254,
  /** JSON bodies only; photo uploads get their own limit when they arrive. */
  jsonBodyMaxBytes: 64 * 1024,
  replyTextMax: 200,
  replyOptionsMax: 6,
  captionMax: 200,
  photosPerMessageMax: 10,
  receiptsPerRequestMax: 100,
  /** Phones shrink photos before upload; this is the most the relay reads of one upload. */
  photoUploadMaxBytes: 15 * 1024 * 1024,
  /** Decompression bombs: a small file that would decode to more pixels than this is refused. */
  photoMaxPixels: 50_000_000,
  photoDisplayLongEdge: 1600,
  photoThumbLongEdge: 400,
  photosPerSenderPerDay: 200,
  /**
   * The most storage a tablet may report, used or quota: 1 PiB, far past any tablet, and low
   * enough that every store keeps it exactly (PostgreSQL's bigint, a JavaScript number).
   */
  storageBytesMax: 2 ** 50,
  syncPageMax: 200,
  syncPageDefault: 50,
} as const;

export const SETUP_CODE = {
  /** Unambiguous letters and digits: no 0/O, 1/I/L, so a code read aloud is typed right. */
  alphabet: "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
  length: 8,
  ttlMinutes: 30,
} as const;

/**
 * After this many wrong set-up codes, set-up links or invitations from one source, further tries
 * wait. Staff passwords have budgets of their own (server/src/services/sign-in-throttle.ts).
 */
export const FAILED_ATTEMPTS = {
  max: 5,
  windowMinutes: 15,
} as const;
