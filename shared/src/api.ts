import "./zod-config";
import { z } from "zod";
import { ALERTS } from "./alerts";
import { isoDateTimeSchema, photoIdSchema, tokenSchema, uuidv7Schema } from "./ids";
import { LIMITS, SETUP_CODE } from "./limits";
import {
  languageSchema,
  logIdSchema,
  messageSchema,
  quietHoursSchema,
  receiptStateSchema,
  replySchema,
  residentSettingsSchema,
  TEXT_SIZES,
} from "./sync";

const name = z.string().trim().min(1, "is required").max(LIMITS.nameMax);
const password = z.string().min(LIMITS.passwordMin, `must be at least ${LIMITS.passwordMin} characters`).max(LIMITS.passwordMax);
const email = z
  .email()
  .max(LIMITS.emailMax)
  .transform((e) => e.toLowerCase());

// Staff -------------------------------------------------------------------------------------

export const staffSetupRequestSchema = z.strictObject({
  token: tokenSchema,
  name,
  email,
  password,
});
export type StaffSetupRequest = z.input<typeof staffSetupRequestSchema>;

export const staffLoginRequestSchema = z.strictObject({
  email,
  password: z.string().min(1).max(LIMITS.passwordMax),
});
export type StaffLoginRequest = z.input<typeof staffLoginRequestSchema>;

export const STAFF_ROLES = ["admin", "officer"] as const;
export const staffRoleSchema = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export const staffMemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  /** Administrators manage staff and settings; officers manage residents. */
  role: staffRoleSchema,
});
export type StaffMember = z.infer<typeof staffMemberSchema>;

/**
 * GET /api/staff/session: whether this browser is signed in. Signed out is an answer (200), not an
 * error, so that opening the console does not log a failed request; other endpoints answer 401.
 */
export const staffSessionSchema = z.discriminatedUnion("signedIn", [
  z.object({ signedIn: z.literal(true), staff: staffMemberSchema, council: z.string() }),
  z.object({ signedIn: z.literal(false) }),
]);
export type StaffSession = z.infer<typeof staffSessionSchema>;

export const residentSchema = z.object({
  id: z.string(),
  fullName: z.string(),
  preferredName: z.string(),
  createdAt: isoDateTimeSchema,
  settings: residentSettingsSchema,
  /** Whether family members see each other's messages, or only their own. */
  familySeesAll: z.boolean(),
  /** Messages and photos older than this are deleted. */
  retentionDays: z.number().int(),
  archivedAt: isoDateTimeSchema.nullable(),
});
export type Resident = z.infer<typeof residentSchema>;

export const createResidentRequestSchema = z.strictObject({
  fullName: name,
  preferredName: name,
});
export type CreateResidentRequest = z.input<typeof createResidentRequestSchema>;

/** Staff change any of these; what is left out stays as it was. */
export const updateResidentRequestSchema = z.strictObject({
  fullName: name.optional(),
  preferredName: name.optional(),
  language: languageSchema.optional(),
  replyOptions: z
    .array(z.string().trim().min(1, "must not be blank").max(LIMITS.replyTextMax))
    .max(LIMITS.replyOptionsMax, `can have at most ${LIMITS.replyOptionsMax} replies`)
    .optional(),
  quietHours: quietHoursSchema.nullable().optional(),
  textSize: z.enum(TEXT_SIZES).optional(),
  paused: z.boolean().optional(),
  familySeesAll: z.boolean().optional(),
  retentionDays: z.number().int().min(7, "must be at least 7 days").max(3650, "must be at most 3650 days (10 years)").optional(),
});
export type UpdateResidentRequest = z.input<typeof updateResidentRequestSchema>;

const familyLabel = z
  .string()
  .trim()
  .min(1, "is required")
  .max(LIMITS.labelMax, `must be ${LIMITS.labelMax} characters or fewer`);

/**
 * How the resident knows the person, as the tablet says it after "your" (en) or "eich" (cy):
 * "daughter", "neighbour", "merch". Staff type it in the resident's language. Blank means none
 * (stored as null): the tablet then says just "From Sarah".
 */
export const relationshipSchema = z
  .string()
  .trim()
  .max(LIMITS.relationshipMax, `must be ${LIMITS.relationshipMax} characters or fewer`)
  .regex(/^[^\p{Cc}]*$/u, "must be on one line")
  .refine((r) => !/^(your|eich)(\s|$)/iu.test(r), "should leave out “your”: the tablet adds it")
  .transform((r) => (r === "" ? null : r));

export const createFamilyLinkRequestSchema = z.strictObject({
  /** The person's name as staff and the resident know it, e.g. "Sarah". */
  label: familyLabel,
  relationship: relationshipSchema.optional(),
});
export type CreateFamilyLinkRequest = z.input<typeof createFamilyLinkRequestSchema>;
/** A create request as the relay has it once validated: trimmed, blank relationship null. */
export type CreateFamilyLinkFields = z.output<typeof createFamilyLinkRequestSchema>;

/** Staff correct the name or the relationship; what is left out stays as it was. Messages already sent keep theirs. */
export const updateFamilyLinkRequestSchema = z.strictObject({
  label: familyLabel.optional(),
  relationship: relationshipSchema.optional(),
});
export type UpdateFamilyLinkRequest = z.input<typeof updateFamilyLinkRequestSchema>;
export type FamilyLinkChanges = z.output<typeof updateFamilyLinkRequestSchema>;

export const familyLinkSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** "daughter": the tablet shows "From Sarah, your daughter"; null: just "From Sarah". */
  relationship: z.string().nullable(),
  createdAt: isoDateTimeSchema,
  revokedAt: isoDateTimeSchema.nullable(),
  lastUsedAt: isoDateTimeSchema.nullable(),
});
export type FamilyLink = z.infer<typeof familyLinkSchema>;

/** Only at creation does the relay know the token: it keeps a hash, so the link is shown once. */
export const createdFamilyLinkSchema = familyLinkSchema.extend({ url: z.url() });
export type CreatedFamilyLink = z.infer<typeof createdFamilyLinkSchema>;

export const setupCodeSchema = z.object({
  code: z.string().length(SETUP_CODE.length),
  expiresAt: isoDateTimeSchema,
});
export type SetupCode = z.infer<typeof setupCodeSchema>;

// Tablet ------------------------------------------------------------------------------------

/** Staff type the code from the console; spaces and lower case are forgiven. */
export const setupCodeInputSchema = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, "").toUpperCase())
  .pipe(
    z
      .string()
      .length(SETUP_CODE.length, `must be ${SETUP_CODE.length} letters and numbers`)
      .regex(new RegExp(`^[${SETUP_CODE.alphabet}]+$`), "has a character that is never in a set-up code"),
  );

export const pairRequestSchema = z.strictObject({ code: setupCodeInputSchema });
export type PairRequest = z.input<typeof pairRequestSchema>;

export const pairResponseSchema = z.object({
  deviceToken: tokenSchema,
  resident: z.object({ id: z.string(), preferredName: z.string() }),
});
export type PairResponse = z.infer<typeof pairResponseSchema>;

/** Receipts are sent in batches: a tablet that was offline sends all it kept at once. */
export const receiptsRequestSchema = z.strictObject({
  receipts: z
    .array(z.strictObject({ messageId: uuidv7Schema, state: receiptStateSchema }))
    .min(1)
    .max(LIMITS.receiptsPerRequestMax),
});
export type ReceiptsRequest = z.input<typeof receiptsRequestSchema>;

export const sendReplyRequestSchema = z.strictObject({
  id: uuidv7Schema,
  inReplyTo: uuidv7Schema,
  text: z.string().trim().min(1, "is empty").max(LIMITS.replyTextMax, `is longer than ${LIMITS.replyTextMax} characters`),
});
export type SendReplyRequest = z.input<typeof sendReplyRequestSchema>;

export const sentReplySchema = replySchema.extend({ seq: z.number().int().positive() });
export type SentReply = z.infer<typeof sentReplySchema>;

// Family ------------------------------------------------------------------------------------

export const familyMeSchema = z.object({
  resident: z.object({ preferredName: z.string() }),
  /** `label` is how staff know them; `displayName` is how they chose to be named on the tablet (null: the label). */
  member: z.object({ id: z.string(), label: z.string(), displayName: z.string().nullable() }),
  /** Who runs this Letterbox, to name in help ("Ask Ampthill Council"). */
  council: z.string(),
});
export type FamilyMe = z.infer<typeof familyMeSchema>;

/** A photo uploaded beforehand (POST /api/family/photos), attached with its caption. */
export const photoAttachmentSchema = z.strictObject({
  id: photoIdSchema,
  caption: z.string().trim().max(LIMITS.captionMax, `is longer than ${LIMITS.captionMax} characters`).default(""),
});

export const updateFamilyMeRequestSchema = z.strictObject({
  /** null goes back to the name staff gave. */
  displayName: z.string().trim().min(1, "is empty").max(LIMITS.labelMax).nullable(),
});
export type UpdateFamilyMeRequest = z.input<typeof updateFamilyMeRequestSchema>;

export const sendMessageRequestSchema = z
  .strictObject({
    id: uuidv7Schema,
    text: z.string().trim().max(LIMITS.messageTextMax, `is longer than ${LIMITS.messageTextMax} characters`),
    photos: z
      .array(photoAttachmentSchema)
      .max(LIMITS.photosPerMessageMax, `can have at most ${LIMITS.photosPerMessageMax} photos`)
      .default([]),
  })
  .refine((m) => m.text.length > 0 || m.photos.length > 0, { path: ["text"], message: "is empty" });
export type SendMessageRequest = z.input<typeof sendMessageRequestSchema>;

export const sentMessageSchema = messageSchema.extend({ seq: z.number().int().positive() });
export type SentMessage = z.infer<typeof sentMessageSchema>;

export const uploadedPhotoSchema = z.object({
  id: photoIdSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type UploadedPhoto = z.infer<typeof uploadedPhotoSchema>;

/**
 * The family's view of the conversation, oldest first: messages (theirs, and the rest of the
 * family's where staff allow it) with how far each has got, and the resident's replies.
 */
export const conversationItemSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("message"),
    seq: z.number().int().positive(),
    message: messageSchema,
    mine: z.boolean(),
    deliveredAt: isoDateTimeSchema.nullable(),
    seenAt: isoDateTimeSchema.nullable(),
  }),
  z.object({
    kind: z.literal("reply"),
    seq: z.number().int().positive(),
    reply: replySchema,
    /** The reply answers a message this family member sent. */
    toMe: z.boolean(),
  }),
]);
export type ConversationItem = z.infer<typeof conversationItemSchema>;

export const conversationSchema = z.object({
  items: z.array(conversationItemSchema),
  /** The relay's log identity (see syncPageSchema): a change means the relay was restored from a backup. */
  logId: logIdSchema,
  tablet: z.object({
    /** When the tablet last reached the relay; null if it has never been set up. */
    lastSeenAt: isoDateTimeSchema.nullable(),
    quietHours: quietHoursSchema.nullable(),
    paused: z.boolean(),
  }),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const healthSchema = z.object({ status: z.literal("ok"), version: z.string() });

/**
 * /readyz: whether this relay can serve, check by check. Each failure has a code that stays the same
 * from release to release, for alerts, and a sentence for the person who reads it; neither names a
 * path, a host or a credential.
 */
export const readinessCheckSchema = z.enum(["database", "migrations", "photos"]);
export type ReadinessCheck = z.infer<typeof readinessCheckSchema>;
export const readinessFailureCodeSchema = z.enum(["database_unreachable", "migrations_pending", "photo_store_not_writable"]);
export type ReadinessFailureCode = z.infer<typeof readinessFailureCodeSchema>;
/** "skipped": not checked, because a check it depends on failed (migrations need the database). */
const checkOutcomeSchema = z.enum(["ok", "failed", "skipped"]);
const readinessChecksSchema = z.object({
  database: checkOutcomeSchema,
  migrations: checkOutcomeSchema,
  photos: checkOutcomeSchema,
});
export const readinessSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ready"),
    version: z.string(),
    checks: z.object({ database: z.literal("ok"), migrations: z.literal("ok"), photos: z.literal("ok") }),
  }),
  z.object({
    status: z.literal("not_ready"),
    version: z.string(),
    checks: readinessChecksSchema,
    failures: z.array(z.object({ check: readinessCheckSchema, code: readinessFailureCodeSchema, message: z.string() })).min(1),
  }),
]);
export type Readiness = z.infer<typeof readinessSchema>;

// Staff administration ------------------------------------------------------------------------

export const createInviteRequestSchema = z.strictObject({ role: staffRoleSchema });
export const inviteSchema = z.object({ url: z.url(), role: staffRoleSchema, expiresAt: isoDateTimeSchema });
export type Invite = z.infer<typeof inviteSchema>;

export const acceptInviteRequestSchema = z.strictObject({ token: tokenSchema, name, email, password });
export type AcceptInviteRequest = z.input<typeof acceptInviteRequestSchema>;

export const staffAccountSchema = staffMemberSchema.extend({
  createdAt: isoDateTimeSchema,
  disabledAt: isoDateTimeSchema.nullable(),
});
export type StaffAccount = z.infer<typeof staffAccountSchema>;

export const auditEntrySchema = z.object({
  at: isoDateTimeSchema,
  staffName: z.string(),
  action: z.string(),
  residentId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  source: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Thresholds for the dashboard's alerts, and how long the audit log is kept. */
export const orgSettingsSchema = z.object({
  offlineAlertHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  unseenAlertHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  noFamilyMessageAlertDays: z.number().int().min(1).max(365),
  auditRetentionDays: z.number().int().min(30).max(3650),
});
export type OrgSettings = z.infer<typeof orgSettingsSchema>;
export const updateOrgSettingsRequestSchema = orgSettingsSchema.partial().strict();

// Tablets as staff see them -----------------------------------------------------------------------

export const PUSH_STATES = ["subscribed", "no_push_manager", "permission_denied", "subscribe_failed", "unknown"] as const;
export const pushStateSchema = z.enum(PUSH_STATES);

/**
 * Why sending to a tablet's subscription fails, as the push service's answers show it: `gone` (it
 * answered 404/410 and the subscription was pruned), `refused_key` (401/403: it refused the
 * relay's VAPID key), `rate_limited` (429), `service_error` (5xx), `refused_push` (another 4xx),
 * `unreachable` (no answer), `not_sent` (the relay could not make the push).
 */
export const PUSH_PROBLEMS = [
  "gone",
  "refused_key",
  "rate_limited",
  "service_error",
  "refused_push",
  "unreachable",
  "not_sent",
] as const;
export const pushProblemSchema = z.enum(PUSH_PROBLEMS);
export type PushProblem = z.infer<typeof pushProblemSchema>;

/** The Battery Status API's reading (navigator.getBattery), in browsers that have it. */
export const batterySchema = z.strictObject({
  /** 0 (empty) to 1 (full), as the browser gives it. */
  level: z.number().min(0).max(1),
  charging: z.boolean(),
});
export type Battery = z.infer<typeof batterySchema>;

/**
 * At or below this level, not charging, the dashboard alerts "Battery low and not charging": a
 * 10-inch tablet with its screen kept awake has an hour or two left, time for staff to ring
 * someone who can plug it in before it goes dark.
 */
export const BATTERY_LOW_LEVEL = 0.2;

/** The one rule for the battery alert. No reading (the browser has no Battery Status API) is never an alert. */
export const batteryLowAndNotCharging = (battery: Battery | null | undefined): boolean =>
  battery != null && !battery.charging && battery.level <= BATTERY_LOW_LEVEL;

/**
 * What a tablet reports about itself after a sync: the staff dashboard's device health. Its
 * `pushState` is the tablet's own view, for its staff corner; the relay's push state for the tablet
 * comes from POST /api/tablet/push and the push service's answers, so the relay does not keep it.
 */
export const tabletStatusRequestSchema = z.strictObject({
  appVersion: z.string().max(40),
  language: languageSchema,
  storageUsedBytes: z.number().int().min(0).max(LIMITS.storageBytesMax),
  storageQuotaBytes: z.number().int().min(0).max(LIMITS.storageBytesMax).nullable(),
  storagePersisted: z.boolean(),
  pushState: pushStateSchema,
  /** null where the browser has no Battery Status API; left out by tablets whose app predates it. */
  battery: batterySchema.nullable().optional(),
});
export type TabletStatusRequest = z.input<typeof tabletStatusRequestSchema>;

export const deviceSchema = z.object({
  id: z.string(),
  pairedAt: isoDateTimeSchema,
  lastSeenAt: isoDateTimeSchema.nullable(),
  /** Reached the relay in the last few minutes. */
  online: z.boolean(),
  appVersion: z.string().nullable(),
  language: z.string().nullable(),
  /**
   * The relay's one view of push for this tablet: "subscribed", the reason the tablet gave for
   * having no subscription, or "expired" (the push service pruned it); null until the tablet says.
   */
  pushState: z.string().nullable(),
  /** Since when pushes to this tablet fail (also set when its subscription was pruned), and why. */
  pushFailingSince: isoDateTimeSchema.nullable(),
  pushProblem: pushProblemSchema.nullable(),
  storageUsedBytes: z.number().nullable(),
  storageQuotaBytes: z.number().nullable(),
  storagePersisted: z.boolean().nullable(),
  /** The last reading the tablet reported; null when its browser gives none, or it has not reported. */
  battery: batterySchema.nullable(),
  wipedAt: isoDateTimeSchema.nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const alertSchema = z.enum(ALERTS);

/** One row of the dashboard: counts and times, never message content. */
export const dashboardRowSchema = z.object({
  resident: residentSchema,
  alerts: z.array(alertSchema),
  tablet: z.object({
    lastSeenAt: isoDateTimeSchema.nullable(),
    online: z.boolean(),
    appVersion: z.string().nullable(),
    pushState: z.string().nullable(),
    pushFailingSince: isoDateTimeSchema.nullable(),
    pushProblem: pushProblemSchema.nullable(),
    storageUsedBytes: z.number().nullable(),
    battery: batterySchema.nullable(),
  }),
  unseenCount: z.number().int(),
  oldestUnseenAt: isoDateTimeSchema.nullable(),
  lastSeenMessageAt: isoDateTimeSchema.nullable(),
  lastFamilyMessageAt: isoDateTimeSchema.nullable(),
});
export type DashboardRow = z.infer<typeof dashboardRowSchema>;

/** Rows per page of the dashboard: the relay sends one page, so the console never holds hundreds. */
export const DASHBOARD_PAGE = { sizeDefault: 25, sizeMax: 100 } as const;

/**
 * GET /api/staff/dashboard: which residents, still in the order of need. `q` finds a name (full or
 * preferred, ignoring case and accents), `reason` keeps those with that alert, `page` counts from 1.
 */
export const dashboardQuerySchema = z.strictObject({
  q: z.string().trim().max(LIMITS.nameMax).optional(),
  reason: alertSchema.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(DASHBOARD_PAGE.sizeMax).default(DASHBOARD_PAGE.sizeDefault),
});
export type DashboardQuery = z.input<typeof dashboardQuerySchema>;
/** The query as the relay uses it: validated, with the defaults filled in. */
export type ParsedDashboardQuery = z.output<typeof dashboardQuerySchema>;

export const dashboardSchema = z.object({
  rows: z.array(dashboardRowSchema),
  /** Residents on the dashboard (archived ones are not), and how many of them need attention (paused is not a need). */
  residents: z.number().int().min(0),
  needingAttention: z.number().int().min(0),
  /** Those that match `q` and `reason`; `rows` is page `page` of them (the last page when asked for one past it). */
  matching: z.number().int().min(0),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
  settings: orgSettingsSchema,
});
export type Dashboard = z.infer<typeof dashboardSchema>;

/** GET /api/staff/dashboard/:residentId: one resident's row, for their own page (null once archived). */
export const dashboardRowResponseSchema = z.object({ row: dashboardRowSchema.nullable() });

// Push ----------------------------------------------------------------------------------------

/** Real push endpoints are a few hundred characters; this is the most the relay keeps. */
export const PUSH_ENDPOINT_MAX = 2048;

/** A browser's PushSubscription as `subscription.toJSON()` gives it. */
export const pushSubscriptionSchema = z.strictObject({
  endpoint: z
    .url({ protocol: /^https$/, error: "must be an https:// address" })
    .max(PUSH_ENDPOINT_MAX, `must be at most ${PUSH_ENDPOINT_MAX} characters`),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    // An uncompressed P-256 point is 65 bytes starting with 4, so 87 base64url characters starting with B.
    p256dh: z.string().regex(/^B[A-Za-z0-9_-]{86}=?$/, "must be the browser's P-256 public key (65 bytes, base64url)"),
    auth: z.string().regex(/^[A-Za-z0-9_-]{22}(==)?$/, "must be the browser's 16-byte auth secret (base64url)"),
  }),
});
export type PushSubscriptionJson = z.input<typeof pushSubscriptionSchema>;

/** Why a tablet cannot take push: kiosk browsers built on WebView have no PushManager at all. */
export const PUSH_UNAVAILABLE_REASONS = ["no_push_manager", "permission_denied", "subscribe_failed"] as const;
export const pushUnavailableReasonSchema = z.enum(PUSH_UNAVAILABLE_REASONS);
export type PushUnavailableReason = z.infer<typeof pushUnavailableReasonSchema>;

/**
 * The tablet tells the relay its push state either way (POST /api/tablet/push): its subscription,
 * or why it has none, so that staff can see "push unavailable".
 */
export const tabletPushRequestSchema = z
  .strictObject({ subscription: pushSubscriptionSchema.optional(), unavailable: pushUnavailableReasonSchema.optional() })
  .refine((b) => (b.subscription === undefined) !== (b.unavailable === undefined), {
    path: ["subscription"],
    message: "or “unavailable” must be given (one of them, not both)",
  });
export type TabletPushRequest = z.input<typeof tabletPushRequestSchema>;

/** A family member opts in to push for replies and "seen" (POST /api/family/push; DELETE opts out). */
export const familyPushRequestSchema = z.strictObject({ subscription: pushSubscriptionSchema });
export type FamilyPushRequest = z.input<typeof familyPushRequestSchema>;

/** GET /api/push/key: the relay's VAPID public key, the `applicationServerKey` for subscribing. */
export const pushKeySchema = z.object({ publicKey: z.string().regex(/^B[A-Za-z0-9_-]{86}$/) });
export type PushKey = z.infer<typeof pushKeySchema>;

export const PUSH_KINDS = [
  "message",
  "message_deleted",
  "reply",
  "receipt",
] as const satisfies readonly import("./sync").LogEntryKind[];

/**
 * What a push carries (encrypted, RFC 8291): only a hint to pull now, and the words for a
 * notification. Far below the 3,993 bytes a push may carry.
 */
export const pushPayloadSchema = z.object({
  kind: z.enum(PUSH_KINDS),
  residentId: z.string(),
  seq: z.number().int().positive(),
  /** Who wrote a new message ("New message from Sarah"). */
  senderName: z.string().optional(),
});
export type PushPayload = z.infer<typeof pushPayloadSchema>;
