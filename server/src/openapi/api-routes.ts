/**
 * Every route the relay serves, as data: method, path, who may call it, and the shared schemas of
 * what it takes and answers. The OpenAPI document (openapi-document.ts) is made from this table,
 * and openapi.test.ts walks the Hono app's own routes to keep the two the same, both ways.
 *
 * The schemas here are the very objects the routes validate with (shared/, and the path schemas
 * the route files export), so a changed field changes the document with it. Hono's typed chains
 * (which give the client its `AppType`) are why the routes are not registered from this table.
 */
import {
  acceptInviteRequestSchema,
  auditEntrySchema,
  conversationSchema,
  createdFamilyLinkSchema,
  createFamilyLinkRequestSchema,
  createInviteRequestSchema,
  createResidentRequestSchema,
  dashboardQuerySchema,
  dashboardRowResponseSchema,
  dashboardSchema,
  deviceSchema,
  type ErrorCode,
  familyLinkSchema,
  familyMeSchema,
  familyPushRequestSchema,
  healthSchema,
  inviteSchema,
  orgSettingsSchema,
  pairRequestSchema,
  pairResponseSchema,
  pushKeySchema,
  readinessSchema,
  receiptsRequestSchema,
  residentSchema,
  sendMessageRequestSchema,
  sendReplyRequestSchema,
  sentMessageSchema,
  sentReplySchema,
  setupCodeSchema,
  staffAccountSchema,
  staffLoginRequestSchema,
  staffMemberSchema,
  staffSessionSchema,
  staffSetupRequestSchema,
  syncPageSchema,
  syncQuerySchema,
  tabletPushRequestSchema,
  tabletStatusRequestSchema,
  updateFamilyLinkRequestSchema,
  updateFamilyMeRequestSchema,
  updateOrgSettingsRequestSchema,
  updateResidentRequestSchema,
  uploadedPhotoSchema,
} from "@letterbox/shared";
import { z } from "zod";
import { messageParam, photoParam } from "../routes/family-routes";
import { deviceParam, linkParam, residentParam, staffParam } from "../routes/staff-routes";
import { tabletPhotoParam } from "../routes/tablet-routes";

export type Method = "get" | "post" | "patch" | "delete";

/** Who a route is for; the document's tags. */
export type Tag = "staff" | "tablet" | "family" | "operations";

/**
 * How a caller proves who they are. `staffSession`: the cookie set by set-up, sign-in or an
 * accepted invitation. `deviceToken`: the bearer token a tablet gets when it pairs.
 * `familyToken`: the bearer token in a family link's fragment. `metricsToken`: METRICS_TOKEN.
 */
export type Credential = "staffSession" | "deviceToken" | "familyToken" | "metricsToken";

/** An answer that is not JSON: its media type, and what the bytes are. */
type MediaAnswer = { media: string; description: string };

export type ApiRoute = {
  method: Method;
  /** Hono's form, `:param`; the document writes `{param}`. */
  path: string;
  tags: readonly Tag[];
  summary: string;
  /** Omitted: no credential. `optional`: works without one, and says so when there is none. */
  auth?: Credential;
  authOptional?: true;
  /** Only staff with the administrator role. */
  admin?: true;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body's schema, or the raw bytes of an image. */
  body?: z.ZodType | "image";
  /** A body the route takes, shown in the document; openapi.test.ts sends it and the schema must pass it. */
  example?: unknown;
  /** The main success: its status and its JSON body (or other media). */
  ok: { status: 200 | 201; json: z.ZodType; description: string } | ({ status: 200 } & MediaAnswer);
  /** A second answer of the same shape: a retried message finding the first one's (200 beside 201), readiness failing (503). */
  alsoAnswers?: { status: 200 | 503; description: string };
  /** Refusals particular to this route, beside those its credential, input and audience bring. */
  errors?: readonly ErrorCode[];
};

const ok = z.object({ ok: z.literal(true) });
// Well-formed values for the examples; they name nothing on a real relay.
const TOKEN = "k7Qm2vX9pLr4sT8wYb3nHc6dF1gJ5zE0aU_iO-eRtyW";
const MESSAGE_ID = "01935f7e-8d2a-7b3c-9f00-123456789abc";
const REPLY_ID = "01935f7f-0c11-7d4e-8a00-abcdef012345";
const passwordRefusals = ["password_too_common", "email_taken", "too_many_attempts", "busy"] as const;

export const API_ROUTES: readonly ApiRoute[] = [
  // Operations ---------------------------------------------------------------------------------
  {
    method: "get",
    path: "/healthz",
    tags: ["operations"],
    summary: "Liveness: the process answers.",
    ok: { status: 200, json: healthSchema, description: "The relay is up." },
  },
  {
    method: "get",
    path: "/readyz",
    tags: ["operations"],
    summary: "Readiness: database, migrations and photo store checked.",
    ok: { status: 200, json: readinessSchema, description: "Ready to take requests." },
    alsoAnswers: { status: 503, description: "Not ready: which checks failed." },
  },
  {
    method: "get",
    path: "/metrics",
    tags: ["operations"],
    summary: "Prometheus metrics; served only when METRICS_TOKEN is set, to its bearer.",
    auth: "metricsToken",
    ok: { status: 200, media: "text/plain; version=0.0.4", description: "Metrics in Prometheus' text format." },
  },
  {
    method: "get",
    path: "/api/openapi.json",
    tags: ["operations"],
    summary: "This document.",
    ok: { status: 200, media: "application/json", description: "The OpenAPI 3.1 description of the relay's API." },
  },
  {
    method: "get",
    path: "/api/push/key",
    tags: ["tablet", "family"],
    summary: "The VAPID public key that tablets and family pages subscribe to push with.",
    ok: { status: 200, json: pushKeySchema, description: "The key." },
  },

  // Staff: no session yet ------------------------------------------------------------------------
  {
    method: "post",
    path: "/api/staff/setup",
    tags: ["staff"],
    summary: "Create the first administrator with the set-up link's token; starts a session.",
    body: staffSetupRequestSchema,
    example: { token: TOKEN, name: "Priya Shah", email: "priya.shah@council.example", password: "correct horse battery staple" },
    ok: { status: 201, json: z.object({ staff: staffMemberSchema }), description: "Created and signed in." },
    errors: ["setup_link_invalid", ...passwordRefusals],
  },
  {
    method: "post",
    path: "/api/staff/invites/accept",
    tags: ["staff"],
    summary: "Accept an invitation: create the account; starts a session.",
    body: acceptInviteRequestSchema,
    example: { token: TOKEN, name: "Tom Evans", email: "tom.evans@council.example", password: "four words make a passphrase" },
    ok: { status: 201, json: z.object({ staff: staffMemberSchema }), description: "Created and signed in." },
    errors: ["invite_invalid", ...passwordRefusals],
  },
  {
    method: "post",
    path: "/api/staff/login",
    tags: ["staff"],
    summary: "Sign in; sets the session cookie.",
    body: staffLoginRequestSchema,
    example: { email: "priya.shah@council.example", password: "correct horse battery staple" },
    ok: { status: 200, json: z.object({ staff: staffMemberSchema }), description: "Signed in." },
    errors: ["wrong_password", "too_many_attempts", "busy"],
  },
  {
    method: "get",
    path: "/api/staff/session",
    tags: ["staff"],
    summary: "Who is signed in; answers 200 when no one is.",
    auth: "staffSession",
    authOptional: true,
    ok: { status: 200, json: staffSessionSchema, description: "Signed in or not." },
  },
  {
    method: "post",
    path: "/api/staff/logout",
    tags: ["staff"],
    summary: "End the session (if any) and clear the cookie.",
    auth: "staffSession",
    authOptional: true,
    ok: { status: 200, json: ok, description: "Signed out." },
  },

  // Staff: signed in ---------------------------------------------------------------------------
  {
    method: "get",
    path: "/api/staff/me",
    tags: ["staff"],
    summary: "The signed-in staff member and the council's name.",
    auth: "staffSession",
    ok: { status: 200, json: z.object({ staff: staffMemberSchema, council: z.string() }), description: "Who is signed in." },
  },
  {
    method: "get",
    path: "/api/staff/dashboard",
    tags: ["staff"],
    summary: "Residents that need attention first, searched, filtered by alert and paged.",
    auth: "staffSession",
    query: dashboardQuerySchema,
    ok: { status: 200, json: dashboardSchema, description: "One page of the dashboard." },
  },
  {
    method: "get",
    path: "/api/staff/dashboard/:residentId",
    tags: ["staff"],
    summary: "One resident's dashboard row (null when archived or unknown).",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: dashboardRowResponseSchema, description: "The row." },
  },
  {
    method: "get",
    path: "/api/staff/residents",
    tags: ["staff"],
    summary: "Every resident.",
    auth: "staffSession",
    ok: { status: 200, json: z.object({ residents: z.array(residentSchema) }), description: "The residents." },
  },
  {
    method: "post",
    path: "/api/staff/residents",
    tags: ["staff"],
    summary: "Add a resident.",
    auth: "staffSession",
    body: createResidentRequestSchema,
    example: { fullName: "Margaret Jones", preferredName: "Peggy" },
    ok: { status: 201, json: z.object({ resident: residentSchema }), description: "Added." },
  },
  {
    method: "get",
    path: "/api/staff/residents/:residentId",
    tags: ["staff"],
    summary: "One resident.",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: z.object({ resident: residentSchema }), description: "The resident." },
  },
  {
    method: "patch",
    path: "/api/staff/residents/:residentId",
    tags: ["staff"],
    summary: "Change a resident's names, language, quiet hours, text size or pause.",
    auth: "staffSession",
    params: residentParam,
    body: updateResidentRequestSchema,
    example: { quietHours: { start: "21:00", end: "08:00" }, textSize: "large", paused: false },
    ok: { status: 200, json: z.object({ resident: residentSchema }), description: "Changed." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/archive",
    tags: ["staff"],
    summary: "Archive a resident (kept, off the dashboard).",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: z.object({ resident: residentSchema }), description: "Archived." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/unarchive",
    tags: ["staff"],
    summary: "Bring an archived resident back.",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: z.object({ resident: residentSchema }), description: "Back on the dashboard." },
  },
  {
    method: "delete",
    path: "/api/staff/residents/:residentId",
    tags: ["staff"],
    summary: "Erase a resident and everything kept about them (right to erasure).",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: ok, description: "Erased." },
  },
  {
    method: "get",
    path: "/api/staff/residents/:residentId/export",
    tags: ["staff"],
    summary: "Subject access export: the resident's data and photos as a ZIP (audited).",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, media: "application/zip", description: "The export." },
  },
  {
    method: "get",
    path: "/api/staff/residents/:residentId/family-links",
    tags: ["staff"],
    summary: "A resident's family links.",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: z.object({ links: z.array(familyLinkSchema) }), description: "The links." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/family-links",
    tags: ["staff"],
    summary: "Make a family link; its address (with the token) is shown this once.",
    auth: "staffSession",
    params: residentParam,
    body: createFamilyLinkRequestSchema,
    example: { label: "Sarah", relationship: "daughter" },
    ok: { status: 201, json: z.object({ link: createdFamilyLinkSchema }), description: "Made." },
  },
  {
    method: "patch",
    path: "/api/staff/residents/:residentId/family-links/:linkId",
    tags: ["staff"],
    summary: "Rename a family link or change what it may see.",
    auth: "staffSession",
    params: linkParam,
    body: updateFamilyLinkRequestSchema,
    example: { relationship: "granddaughter" },
    ok: { status: 200, json: z.object({ link: familyLinkSchema }), description: "Changed." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/family-links/:linkId/revoke",
    tags: ["staff"],
    summary: "Revoke a family link.",
    auth: "staffSession",
    params: linkParam,
    ok: { status: 200, json: ok, description: "Revoked." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/family-links/:linkId/reissue",
    tags: ["staff"],
    summary: "Give a family link a new token (the old one stops working).",
    auth: "staffSession",
    params: linkParam,
    ok: { status: 201, json: z.object({ link: createdFamilyLinkSchema }), description: "Reissued." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/setup-codes",
    tags: ["staff"],
    summary: "A short-lived code to set up the resident's tablet.",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 201, json: z.object({ setupCode: setupCodeSchema }), description: "The code." },
  },
  {
    method: "get",
    path: "/api/staff/residents/:residentId/devices",
    tags: ["staff"],
    summary: "The resident's tablets and their health.",
    auth: "staffSession",
    params: residentParam,
    ok: { status: 200, json: z.object({ devices: z.array(deviceSchema) }), description: "The tablets." },
  },
  {
    method: "post",
    path: "/api/staff/residents/:residentId/devices/:deviceId/wipe",
    tags: ["staff"],
    summary: "Wipe a tablet: its token stops working and it clears itself when it next connects.",
    auth: "staffSession",
    params: deviceParam,
    ok: { status: 200, json: ok, description: "Wiped." },
  },

  // Staff: administrators ------------------------------------------------------------------------
  {
    method: "get",
    path: "/api/staff/staff",
    tags: ["staff"],
    summary: "Every staff account.",
    auth: "staffSession",
    admin: true,
    ok: { status: 200, json: z.object({ staff: z.array(staffAccountSchema) }), description: "The accounts." },
  },
  {
    method: "post",
    path: "/api/staff/invites",
    tags: ["staff"],
    summary: "Invite a staff member with a role; the invitation's address is shown this once.",
    auth: "staffSession",
    admin: true,
    body: createInviteRequestSchema,
    example: { role: "officer" },
    ok: { status: 201, json: z.object({ invite: inviteSchema }), description: "The invitation." },
  },
  {
    method: "post",
    path: "/api/staff/staff/:staffId/disable",
    tags: ["staff"],
    summary: "Disable a staff account (its sessions end).",
    auth: "staffSession",
    admin: true,
    params: staffParam,
    ok: { status: 200, json: ok, description: "Disabled." },
  },
  {
    method: "post",
    path: "/api/staff/staff/:staffId/enable",
    tags: ["staff"],
    summary: "Enable a disabled staff account.",
    auth: "staffSession",
    admin: true,
    params: staffParam,
    ok: { status: 200, json: ok, description: "Enabled." },
  },
  {
    method: "post",
    path: "/api/staff/staff/:staffId/end-sessions",
    tags: ["staff"],
    summary: "End every session of a staff account.",
    auth: "staffSession",
    admin: true,
    params: staffParam,
    ok: { status: 200, json: z.object({ ended: z.number().int().nonnegative() }), description: "How many ended." },
  },
  {
    method: "get",
    path: "/api/staff/audit",
    tags: ["staff"],
    summary: "The audit log, newest first.",
    auth: "staffSession",
    admin: true,
    ok: { status: 200, json: z.object({ entries: z.array(auditEntrySchema) }), description: "The entries." },
  },
  {
    method: "get",
    path: "/api/staff/audit.csv",
    tags: ["staff"],
    summary: "The audit log as CSV (audited).",
    auth: "staffSession",
    admin: true,
    ok: { status: 200, media: "text/csv; charset=utf-8", description: "The audit log." },
  },
  {
    method: "get",
    path: "/api/staff/settings",
    tags: ["staff"],
    summary: "The council's settings.",
    auth: "staffSession",
    admin: true,
    ok: { status: 200, json: z.object({ settings: orgSettingsSchema }), description: "The settings." },
  },
  {
    method: "patch",
    path: "/api/staff/settings",
    tags: ["staff"],
    summary: "Change the council's settings.",
    auth: "staffSession",
    admin: true,
    body: updateOrgSettingsRequestSchema,
    example: { offlineAlertHours: 12 },
    ok: { status: 200, json: z.object({ settings: orgSettingsSchema }), description: "Changed." },
  },

  // Tablet -----------------------------------------------------------------------------------------
  {
    method: "post",
    path: "/api/tablet/pair",
    tags: ["tablet"],
    summary: "Pair a tablet with a set-up code; answers its device token.",
    body: pairRequestSchema,
    example: { code: "ABCD-2345" },
    ok: { status: 201, json: pairResponseSchema, description: "Paired." },
    errors: ["setup_code_invalid", "too_many_attempts"],
  },
  {
    method: "get",
    path: "/api/tablet/sync",
    tags: ["tablet"],
    summary: "The resident's log after a cursor, with the log identity and head.",
    auth: "deviceToken",
    query: syncQuerySchema,
    ok: { status: 200, json: syncPageSchema, description: "One page of the log." },
  },
  {
    method: "post",
    path: "/api/tablet/status",
    tags: ["tablet"],
    summary: "The tablet's health report (storage, push state, battery).",
    auth: "deviceToken",
    body: tabletStatusRequestSchema,
    example: {
      appVersion: "0.1.0",
      language: "en-GB",
      storageUsedBytes: 1048576,
      storageQuotaBytes: 2147483648,
      storagePersisted: true,
      pushState: "subscribed",
      battery: { level: 0.8, charging: true },
    },
    ok: { status: 200, json: ok, description: "Recorded." },
  },
  {
    method: "post",
    path: "/api/tablet/receipts",
    tags: ["tablet"],
    summary: "Messages delivered to or seen on the tablet.",
    auth: "deviceToken",
    body: receiptsRequestSchema,
    example: { receipts: [{ messageId: MESSAGE_ID, state: "seen" }] },
    ok: { status: 200, json: ok, description: "Recorded." },
  },
  {
    method: "post",
    path: "/api/tablet/replies",
    tags: ["tablet"],
    summary: "The resident's reply to a message; the id makes a retry safe.",
    auth: "deviceToken",
    body: sendReplyRequestSchema,
    example: { id: REPLY_ID, inReplyTo: MESSAGE_ID, text: "Lovely, thank you" },
    ok: { status: 201, json: z.object({ reply: sentReplySchema }), description: "Sent." },
    alsoAnswers: { status: 200, description: "Already sent under this id: the first one's reply." },
    errors: ["id_reused"],
  },
  {
    method: "get",
    path: "/api/tablet/live",
    tags: ["tablet"],
    summary: "Server-sent events: a hint each time the resident's log grows.",
    auth: "deviceToken",
    ok: { status: 200, media: "text/event-stream", description: "The event stream." },
    errors: ["too_many_attempts"],
  },
  {
    method: "get",
    path: "/api/tablet/photos/:id",
    tags: ["tablet"],
    summary: "A photo sent to the resident (display size).",
    auth: "deviceToken",
    params: tabletPhotoParam,
    ok: { status: 200, media: "image/jpeg", description: "The photo (immutable: named by its content)." },
    errors: ["photo_not_found"],
  },
  {
    method: "post",
    path: "/api/tablet/push",
    tags: ["tablet"],
    summary: "The tablet's push subscription, or why it has none.",
    auth: "deviceToken",
    body: tabletPushRequestSchema,
    example: { unavailable: "no_push_manager" },
    ok: { status: 200, json: ok, description: "Recorded." },
  },

  // Family -----------------------------------------------------------------------------------------
  {
    method: "get",
    path: "/api/family/me",
    tags: ["family"],
    summary: "Who this link is for and how they are named.",
    auth: "familyToken",
    ok: { status: 200, json: familyMeSchema, description: "The link's member." },
  },
  {
    method: "patch",
    path: "/api/family/me",
    tags: ["family"],
    summary: "The name the resident sees for this family member.",
    auth: "familyToken",
    body: updateFamilyMeRequestSchema,
    example: { displayName: "Sarah (your daughter)" },
    ok: { status: 200, json: familyMeSchema, description: "Changed." },
  },
  {
    method: "get",
    path: "/api/family/conversation",
    tags: ["family"],
    summary: "The conversation as this family member may see it, with the log identity.",
    auth: "familyToken",
    ok: { status: 200, json: conversationSchema, description: "The conversation." },
  },
  {
    method: "get",
    path: "/api/family/live",
    tags: ["family"],
    summary: "Server-sent events: a hint to fetch the conversation again.",
    auth: "familyToken",
    ok: { status: 200, media: "text/event-stream", description: "The event stream." },
    errors: ["too_many_attempts"],
  },
  {
    method: "post",
    path: "/api/family/messages",
    tags: ["family"],
    summary: "Send a message (text and photos uploaded beforehand); the id makes a retry safe.",
    auth: "familyToken",
    body: sendMessageRequestSchema,
    example: { id: MESSAGE_ID, text: "We are coming on Sunday." },
    ok: { status: 201, json: z.object({ message: sentMessageSchema }), description: "Sent." },
    alsoAnswers: { status: 200, description: "Already sent under this id: the first one's message." },
    errors: ["id_reused", "photo_not_found", "quota_exceeded"],
  },
  {
    method: "delete",
    path: "/api/family/messages/:id",
    tags: ["family"],
    summary: "Take back a message this family member sent.",
    auth: "familyToken",
    params: messageParam,
    ok: { status: 200, json: ok, description: "Taken back." },
  },
  {
    method: "post",
    path: "/api/family/photos",
    tags: ["family"],
    summary: "Upload a photo (the image's bytes); it is re-encoded without metadata and attached to a message later.",
    auth: "familyToken",
    body: "image",
    ok: { status: 201, json: z.object({ photo: uploadedPhotoSchema }), description: "Stored." },
    errors: [
      "body_too_large",
      "photo_too_large",
      "photo_type_unsupported",
      "photo_unreadable",
      "photo_too_many_pixels",
      "quota_exceeded",
      "busy",
    ],
  },
  {
    method: "get",
    path: "/api/family/photos/:id/thumb",
    tags: ["family"],
    summary: "The thumbnail of a photo this family member may see.",
    auth: "familyToken",
    params: photoParam,
    ok: { status: 200, media: "image/jpeg", description: "The thumbnail (immutable: named by its content)." },
    errors: ["photo_not_found"],
  },
  {
    method: "post",
    path: "/api/family/push",
    tags: ["family"],
    summary: "Opt in to push on this phone.",
    auth: "familyToken",
    body: familyPushRequestSchema,
    example: {
      subscription: {
        endpoint: "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH",
        expirationTime: null,
        keys: {
          p256dh: "BPdPAmHQmTeMin-pgIYs0E5dFZRgInXzH_RDTBg_wLAZWwI-S6mppaxKrMz9g1wUm99FzyfUk-olMs3v6FS4LKU",
          auth: "8eDyX_uCN0XRhSbY5hs7Hg",
        },
      },
    },
    ok: { status: 200, json: ok, description: "Subscribed." },
  },
  {
    method: "delete",
    path: "/api/family/push",
    tags: ["family"],
    summary: "Opt out of push.",
    auth: "familyToken",
    ok: { status: 200, json: ok, description: "Unsubscribed." },
  },
];
