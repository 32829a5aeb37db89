import type { ErrorCode } from "@letterbox/shared";
import { RelayError } from "../api/relay-error";
import { familyCy } from "../i18n/family-cy";
import { type FamilyText, familyEnGB } from "../i18n/family-en-GB";

export type { FamilyText };

/** Welsh when the phone's language is Welsh, English (UK) otherwise: the family member chose it already. */
export function chooseText(language: string | undefined): FamilyText {
  return language?.toLowerCase().startsWith("cy") ? familyCy : familyEnGB;
}

/**
 * The sentence to show for a failure. The relay explains itself in English; a Welsh phone shows the
 * Welsh sentence for the same code where there is one.
 */
export function sentence(t: FamilyText, problem: { code: ErrorCode | "network"; message: string }): string {
  if (t.lang !== familyEnGB.lang) {
    const own = t.errors[problem.code];
    if (own) return own;
  }
  return problem.message || t.errors[problem.code] || t.errors.internal || "";
}

/** The same for anything thrown: a RelayError carries its code and sentence, anything else is "internal". */
export const problemSentence = (t: FamilyText, err: unknown) =>
  sentence(t, err instanceof RelayError ? err : { code: "internal", message: "" });

/** The two answers that mean this link will never work again: the page says so kindly and stops. */
export const isDeadLink = (err: unknown) =>
  err instanceof RelayError && (err.code === "link_revoked" || err.code === "unauthenticated");
