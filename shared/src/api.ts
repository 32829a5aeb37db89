import { z } from "zod";
import { isoDateTimeSchema, tokenSchema, uuidv7Schema } from "./ids";
import { LIMITS, SETUP_CODE } from "./limits";
import { messageSchema } from "./sync";

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

export const staffMemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
});
export type StaffMember = z.infer<typeof staffMemberSchema>;

export const residentSchema = z.object({
  id: z.string(),
  fullName: z.string(),
  preferredName: z.string(),
  createdAt: isoDateTimeSchema,
});
export type Resident = z.infer<typeof residentSchema>;

export const createResidentRequestSchema = z.strictObject({
  fullName: name,
  preferredName: name,
});
export type CreateResidentRequest = z.input<typeof createResidentRequestSchema>;

export const createFamilyLinkRequestSchema = z.strictObject({
  /** How staff and the resident know this person, e.g. "Sarah (daughter)". */
  label: z.string().trim().min(1, "is required").max(LIMITS.labelMax),
});
export type CreateFamilyLinkRequest = z.input<typeof createFamilyLinkRequestSchema>;

export const familyLinkSchema = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: isoDateTimeSchema,
  revokedAt: isoDateTimeSchema.nullable(),
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

// Family ------------------------------------------------------------------------------------

export const familyMeSchema = z.object({
  resident: z.object({ preferredName: z.string() }),
  member: z.object({ label: z.string() }),
});
export type FamilyMe = z.infer<typeof familyMeSchema>;

export const sendMessageRequestSchema = z.strictObject({
  id: uuidv7Schema,
  text: z.string().trim().min(1, "is empty").max(LIMITS.messageTextMax, `is longer than ${LIMITS.messageTextMax} characters`),
});
export type SendMessageRequest = z.input<typeof sendMessageRequestSchema>;

export const sentMessageSchema = messageSchema.extend({ seq: z.number().int().positive() });
export type SentMessage = z.infer<typeof sentMessageSchema>;

export const familyMessagesSchema = z.object({ messages: z.array(sentMessageSchema) });
export type FamilyMessages = z.infer<typeof familyMessagesSchema>;

export const healthSchema = z.object({ status: z.literal("ok"), version: z.string() });
