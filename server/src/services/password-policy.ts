import { dictionary } from "@zxcvbn-ts/language-common";
import { AppError } from "../errors";

// NCSC guidance: no composition rules, but refuse passwords that are known to be common.
const common = new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));

/** Throws `password_too_common` for a password on the list of the most used ones (or one only a name or email long). */
export function checkPasswordNotCommon(password: string, personal: string[] = []): void {
  const lowered = password.toLowerCase();
  const squeezed = lowered.replace(/\s+/g, "");
  if (
    common.has(lowered) ||
    common.has(squeezed) ||
    personal.some((p) => p && squeezed.includes(p.toLowerCase().replace(/\s+/g, "")) && squeezed.length - p.length < 4)
  ) {
    throw new AppError(
      "password_too_common",
      "This password is too easy to guess: it is one that many people use. Please choose another, such as three or four unrelated words.",
    );
  }
}
