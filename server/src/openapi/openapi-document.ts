/**
 * The relay's OpenAPI 3.1 document, made from the route table (api-routes.ts) with zod's own
 * JSON Schema output (OpenAPI 3.1 schemas are JSON Schema 2020-12). Requests are described as zod
 * reads them (`io: "input"`: a field with a default may be left out), answers as the relay writes
 * them.
 */
import { ERROR_CODES, type ErrorCode, errorBodySchema, errorCodeSchema, LIMITS } from "@letterbox/shared";
import { z } from "zod";
import { STATUS } from "../http/errors";
import { SESSION_COOKIE } from "../routes/staff-routes";
import { API_ROUTES, type ApiRoute, type Credential } from "./api-routes";

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  // A transform (trimming, lower-casing an email) has no JSON Schema; what it reads is still described.
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** Hono's `/residents/:residentId` is OpenAPI's `/residents/{residentId}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(schema: z.ZodObject, where: "path" | "query") {
  const described = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(described.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (described.required ?? []).includes(name),
    schema: property,
  }));
}

/** The refusals a route can answer with, from what it takes, who may call it and what it does. */
export function refusalsOf(route: ApiRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  if (route.params || route.query || route.body) codes.add("invalid_request");
  if (route.body && route.body !== "image") {
    codes.add("malformed_json");
    codes.add("body_too_large");
  }
  if (route.params) codes.add("not_found");
  if (route.auth && !route.authOptional) codes.add("unauthenticated");
  if (route.auth === "deviceToken") codes.add("device_wiped");
  if (route.auth === "familyToken") codes.add("link_revoked");
  if (route.admin) codes.add("forbidden");
  // The staff API refuses a state-changing request from another website (same-origin.ts).
  if (route.path.startsWith("/api/staff/") && route.method !== "get") codes.add("forbidden");
  codes.add("internal");
  return ERROR_CODES.filter((code) => codes.has(code));
}

function errorAnswer(codes: ErrorCode[]) {
  const schema = errorBodySchema.extend({
    error: errorBodySchema.shape.error.extend({ code: errorCodeSchema.extract(codes as [ErrorCode, ...ErrorCode[]]) }),
  });
  return {
    description: `Refused: ${codes.map((code) => `\`${code}\``).join(", ")}. The message is a sentence for a person; branch on the code.`,
    content: { "application/json": { schema: jsonSchema(schema, "output") } },
  };
}

function operation(route: ApiRoute): Operation {
  const responses: Record<string, unknown> = {};
  const { ok } = route;
  responses[String(ok.status)] =
    "json" in ok
      ? { description: ok.description, content: { "application/json": { schema: jsonSchema(ok.json, "output") } } }
      : { description: ok.description, content: { [ok.media]: { schema: { type: "string", contentMediaType: ok.media } } } };
  if (route.alsoAnswers && "json" in ok) {
    responses[String(route.alsoAnswers.status)] = {
      description: route.alsoAnswers.description,
      content: { "application/json": { schema: jsonSchema(ok.json, "output") } },
    };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of refusalsOf(route)) byStatus.set(STATUS[code], [...(byStatus.get(STATUS[code]) ?? []), code]);
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) responses[String(status)] = errorAnswer(codes);
  const op: Operation = {
    operationId: operationId(route),
    summary: route.summary,
    tags: [...route.tags],
    ...(route.admin && { description: "Administrators only." }),
    responses,
  };
  const params = [
    ...(route.params ? parameters(route.params, "path") : []),
    ...(route.query ? parameters(route.query, "query") : []),
  ];
  if (params.length > 0) op.parameters = params;
  if (route.body === "image") {
    const image = {
      schema: { type: "string", contentMediaType: "application/octet-stream", maxLength: LIMITS.photoUploadMaxBytes },
    };
    op.requestBody = {
      required: true,
      description: `The image's bytes (JPEG, PNG, WebP, HEIC…); its type is read from the bytes, never from a header. At most ${LIMITS.photoUploadMaxBytes} bytes.`,
      content: { "image/*": image, "application/octet-stream": image },
    };
  } else if (route.body) {
    const example = route.example === undefined ? {} : { example: route.example };
    op.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input"), ...example } } };
  }
  const security = route.auth ? [{ [route.auth]: [] }] : [];
  op.security = route.authOptional ? [...security, {}] : security;
  return op;
}

/** `post /api/staff/residents/:residentId/archive` → `postStaffResidentsResidentIdArchive`. */
function operationId(route: ApiRoute): string {
  const words = route.path
    .replace(/^\/api\//, "/")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return route.method + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join("");
}

const SECURITY_SCHEMES: Record<Credential, object> = {
  staffSession: {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description:
      "The staff session: set (HttpOnly, SameSite=Strict, path /api/staff) by set-up, sign-in or an accepted invitation; it ends after 8 hours unused. A request that changes something must come from the relay's own origin (Origin or Sec-Fetch-Site), or it is refused with `forbidden`.",
  },
  deviceToken: {
    type: "http",
    scheme: "bearer",
    description:
      "A tablet's device token, answered once by POST /api/tablet/pair. `device_wiped` (410) when staff wiped the tablet.",
  },
  familyToken: {
    type: "http",
    scheme: "bearer",
    description:
      "A family link's token: the part after # in the link staff made. `link_revoked` (410) when staff revoked it or gave it a new token.",
  },
  metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN from the relay's configuration." },
};

export function openApiDocument(opts: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of API_ROUTES) {
    const at = openApiPath(route.path);
    paths[at] = { ...paths[at], [route.method]: operation(route) };
  }
  return {
    openapi: "3.1.1",
    info: {
      title: "Letterbox relay",
      version: opts.version,
      description:
        "The relay's HTTP API: the staff console's (`staff`), the resident's tablet's (`tablet`) and the family page's (`family`), for councils' own systems to call. Every refusal is JSON `{ error: { code, message } }` with a stable code.",
    },
    ...(opts.serverUrl && { servers: [{ url: opts.serverUrl }] }),
    tags: [
      { name: "staff", description: "The staff console: residents, family links, tablets, staff accounts, audit." },
      { name: "tablet", description: "The resident's tablet: pairing, the log, replies, receipts, health." },
      { name: "family", description: "A family member's page, reached by a private link." },
      { name: "operations", description: "Health, readiness, metrics and this document." },
    ],
    paths,
    components: { securitySchemes: SECURITY_SCHEMES },
  };
}
