import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { AppError } from "../errors";

/** Turns a zod failure into one sentence a person can act on, naming the field. */
export function describeIssues(error: z.core.$ZodError): string {
  const sentences = error.issues.slice(0, 3).map((issue) => {
    if (issue.code === "unrecognized_keys") return `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}.`;
    const field = issue.path.join(".");
    if (issue.code === "invalid_type" && issue.input === undefined) return `“${field}” is missing.`;
    if (!field) return "The request body must be a JSON object.";
    return `“${field}” ${issue.message}.`;
  });
  return sentences.join(" ");
}

/** Validates one part of the request against a shared schema; failures become `invalid_request`. */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new AppError("invalid_request", describeIssues(result.error));
  });
}
