import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { z } from "zod";
import { AppError } from "../errors";

/** Turns a zod failure into one sentence a person can act on, naming the field. */
export function describeIssues(error: z.core.$ZodError): string {
  const sentences = error.issues.slice(0, 3).map((issue) => {
    if (issue.code === "unrecognized_keys") return `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}.`;
    const field = issue.path.join(".");
    if (!field) return "The request body must be a JSON object.";
    return `“${field}” ${issue.message}.`;
  });
  return sentences.join(" ");
}

const plural = (n: number | bigint, word: string) => `${n} ${word}${n === 1 || n === 1n ? "" : "s"}`;

/**
 * Wording for zod's own checks, used only where a shared schema gives no message of its own (zod
 * prefers the schema's). The issue still carries the input here — zod drops it from the final
 * error — so a missing field is told apart from a field of the wrong type.
 */
function plainEnglish(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is missing";
      const kinds: Record<string, string> = {
        string: "text",
        number: "a number",
        int: "a whole number",
        boolean: "true or false",
        object: "an object",
        array: "a list",
      };
      return `must be ${kinds[issue.expected] ?? `of type ${issue.expected}`}`;
    }
    case "too_small":
      if (issue.origin === "string")
        return `must be ${issue.exact ? "exactly" : "at least"} ${plural(issue.minimum, "character")}`;
      if (issue.origin === "array") return `must have at least ${plural(issue.minimum, "item")}`;
      return issue.inclusive ? `must be ${issue.minimum} or more` : `must be more than ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string")
        return `must be ${issue.exact ? "exactly" : "at most"} ${plural(issue.maximum, "character")}`;
      if (issue.origin === "array") return `must have at most ${plural(issue.maximum, "item")}`;
      return issue.inclusive ? `must be ${issue.maximum} or less` : `must be less than ${issue.maximum}`;
    case "invalid_format": {
      const formats: Record<string, string> = { email: "an email address", uuid: "a valid id", url: "a web address" };
      return `is not ${formats[issue.format] ?? "in the right format"}`;
    }
    case "invalid_value":
      return "is not one of the allowed values";
    default:
      return undefined;
  }
}

// For every parse in the relay's process (requests, and the command line's describeIssues too).
z.config({ customError: plainEnglish });

/** Validates one part of the request against a shared schema; failures become `invalid_request`. */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) {
  const check = zValidator(target, schema, (result) => {
    if (!result.success) throw new AppError("invalid_request", describeIssues(result.error));
  });
  if (target !== "json") return check;
  // Without a JSON content type Hono reads the body as {}, and the answer would wrongly list every
  // field as missing; say what is actually wrong.
  const requireJson: typeof check = async (c, next) => {
    if (!JSON_TYPE.test(c.req.header("Content-Type") ?? "")) {
      throw new AppError("invalid_request", "Send the request body as JSON, with the header Content-Type: application/json.");
    }
    return check(c, next);
  };
  return requireJson;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
