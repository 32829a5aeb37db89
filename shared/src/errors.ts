import "./zod-config";
import { z } from "zod";

/**
 * Every error the API can answer with. The code is stable (clients branch on it); the message is
 * a plain-English sentence a person can act on.
 */
export const ERROR_CODES = [
  "invalid_request",
  "malformed_json",
  "body_too_large",
  "unauthenticated",
  "forbidden",
  "not_found",
  "setup_link_invalid",
  "setup_code_invalid",
  "wrong_password",
  "too_many_attempts",
  "email_taken",
  "id_reused",
  "link_revoked",
  "device_wiped",
  "invite_invalid",
  "password_too_common",
  "photo_too_large",
  "photo_type_unsupported",
  "photo_unreadable",
  "photo_too_many_pixels",
  "photo_not_found",
  "quota_exceeded",
  /** The relay has as much of this kind of work in hand as it takes at once; Retry-After says when to try again. */
  "busy",
  "internal",
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
