import type { ErrorCode } from "@letterbox/shared";
import { RelayError } from "../api/relay-error";

/** One entry of a page's error summary; `fieldId` is the input it is about (the summary links to it). */
export type Problem = { text: string; fieldId?: string };

/** A form's fields by the name the relay uses for them: the input's id and its label. */
export type Fields = Record<string, { id: string; label: string }>;

const UNKNOWN = "Something went wrong. Please try again.";

/**
 * The relay's sentence, tied to the field it is about. Validation failures name their fields
 * (“password” must be at least 12 characters.); other codes belong to a field the form names
 * (password_too_common → the password).
 */
export function problemsFrom(err: unknown, fields: Fields = {}, codeFields: Partial<Record<ErrorCode, string>> = {}): Problem[] {
  if (!(err instanceof RelayError)) return [{ text: UNKNOWN }];
  if (err.code === "invalid_request") {
    const found = sentences(err.message).map((sentence): Problem => {
      const named = /^“([^”]+)” (.*)$/s.exec(sentence);
      const field = named?.[1] ? fields[named[1].split(".")[0] ?? ""] : undefined;
      if (!named || !field) return { text: sentence };
      return { text: `${field.label} ${named[2]?.replace(/\.$/, "")}`, fieldId: field.id };
    });
    if (found.length > 0) return found;
  }
  const field = fields[codeFields[err.code as ErrorCode] ?? ""];
  return [field ? { text: err.message, fieldId: field.id } : { text: err.message || UNKNOWN }];
}

/** The relay joins up to three sentences with spaces; each starts with a quoted field or a capital. */
function sentences(message: string): string[] {
  return message
    .split(/(?<=\.)\s+(?=“|[A-Z])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The first problem about a field, for the message beside it. */
export const problemFor = (problems: Problem[], fieldId: string) => problems.find((p) => p.fieldId === fieldId)?.text;

/** Signed out (session ended or expired): the app shows the sign-in page instead of an error. */
export const isSignedOut = (err: unknown) => err instanceof RelayError && err.code === "unauthenticated";
