import type { ErrorBody, ErrorCode } from "@letterbox/shared";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError } from "../errors";
import type { Logger } from "../log";

/** The one place where a domain error becomes an HTTP status. */
export const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  malformed_json: 400,
  body_too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  setup_link_invalid: 400,
  setup_code_invalid: 400,
  wrong_password: 401,
  too_many_attempts: 429,
  email_taken: 409,
  id_reused: 409,
  link_revoked: 410,
  device_wiped: 410,
  invite_invalid: 400,
  password_too_common: 400,
  photo_too_large: 413,
  photo_type_unsupported: 415,
  photo_unreadable: 422,
  photo_too_many_pixels: 422,
  photo_not_found: 404,
  quota_exceeded: 429,
  busy: 429,
  internal: 500,
};

export function errorResponse(c: Context, code: ErrorCode, message: string) {
  const body: ErrorBody = { error: { code, message } };
  return c.json(body, STATUS[code]);
}

export function onError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
      return errorResponse(c, err.code, err.message);
    }
    if (err instanceof HTTPException && err.message.startsWith("Malformed JSON")) {
      return errorResponse(c, "malformed_json", "The request body is not valid JSON.");
    }
    if (err instanceof HTTPException && err.status < 500) {
      return errorResponse(c, "invalid_request", err.message || "The request could not be understood.");
    }
    log("request.failed", { route: c.req.routePath, error: err.name, detail: err.message });
    return errorResponse(c, "internal", "Something went wrong on our side. Please try again in a minute.");
  };
}
