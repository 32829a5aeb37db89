import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { expectError, firstStaff, type Relay, startRelay } from "../test-support";
import { API_ROUTES, type ApiRoute } from "./api-routes";
import { openApiDocument, openApiPath } from "./openapi-document";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
};
type Operation = {
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown }> };
};

const document = openApiDocument({ version: "test", serverUrl: "http://localhost:8080" });
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ method, path, op: op as Operation })),
);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

/** What the app really serves: Hono's own table, less the middleware (`ALL`). */
function servedRoutes(relay: Relay): Set<string> {
  return new Set(
    relay.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
  );
}

/** A path with every parameter filled in: well-formed ids that name nothing. */
function concretePath(route: ApiRoute): string {
  return route.path
    .replace(":id", route.path.includes("photos") ? "a".repeat(64) : "01935f7e-8d2a-7b3c-9f00-123456789abc")
    .replace(/:[A-Za-z]+/g, "0b8d2c4e-3f1a-4e5b-9c6d-7e8f9a0b1c2d");
}

/** Values of the wrong JSON type for a property, so the document refuses them whatever else holds. */
function wrongValueFor(property: JsonSchema): unknown {
  const types = [property.type ?? []].flat();
  if (types.includes("string")) return 12345;
  if (types.includes("object") || types.includes("array")) return "not this";
  return { not: "this" };
}

/** Bodies the document's schema refuses: no fields at all, an unknown field, and each field of the wrong type. */
function refusedBodies(schema: JsonSchema): unknown[] {
  const bodies: unknown[] = [[], "text"];
  if ((schema.required ?? []).length > 0) bodies.push({});
  if (schema.additionalProperties === false) bodies.push({ notAField: 1 });
  for (const [name, property] of Object.entries(schema.properties ?? {})) bodies.push({ [name]: wrongValueFor(property) });
  return bodies;
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("is served at /api/openapi.json to anyone, cacheable", async () => {
    const relay = await startRelay();
    const res = await relay.request("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=3600");
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const served = (await res.json()) as { info: { version: string } };
    expect(served).toEqual(
      JSON.parse(JSON.stringify(openApiDocument({ version: served.info.version, serverUrl: relay.publicUrl }))),
    );
  });

  it("lists exactly the routes the app serves", async () => {
    const relay = await startRelay({ metricsToken: "metrics-token-for-tests" });
    const served = servedRoutes(relay);
    const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
    const missing = [...served].filter((r) => !documented.has(r));
    const extra = [...documented].filter((r) => !served.has(r));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(documented.size).toBe(API_ROUTES.length);
  });

  it("tags every route by its audience", () => {
    for (const { path, op } of operations) {
      const audience = /^\/api\/(staff|tablet|family)\//.exec(path)?.[1];
      if (audience) expect(op.tags, path).toEqual([audience]);
      else expect(op.tags.length, path).toBeGreaterThan(0);
    }
  });

  it("names the credential each route asks for: without it the route answers 401", async () => {
    const relay = await startRelay({ metricsToken: "metrics-token-for-tests" });
    for (const route of API_ROUTES) {
      if (route.path.endsWith("/live")) continue; // a stream: checked below with the other bearer routes' rule
      const res = await relay.request(concretePath(route), { method: route.method.toUpperCase() });
      const where = `${route.method} ${route.path}`;
      if (route.auth && !route.authOptional) expect(res.status, where).toBe(401);
      else expect(res.status, where).not.toBe(401);
      await res.body?.cancel();
    }
    for (const live of ["/api/tablet/live", "/api/family/live"]) {
      await expectError(await relay.request(live), 401, "unauthenticated");
    }
  });

  it("refuses with 400 every body and query that the document's schemas refuse", async () => {
    const relay = await startRelay();
    const staff = await firstStaff(relay);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const credentials = (route: ApiRoute) =>
      route.auth === "staffSession"
        ? { cookie: staff.cookie }
        : route.auth === "deviceToken"
          ? { bearer: deviceToken }
          : route.auth === "familyToken"
            ? { bearer: familyToken }
            : {};

    let checked = 0;
    for (const route of API_ROUTES) {
      const op = operations.find((o) => o.method === route.method && o.path === openApiPath(route.path))?.op;
      const where = `${route.method} ${route.path}`;
      const schema = op?.requestBody?.content["application/json"]?.schema;
      if (schema) {
        const check = ajv.compile(schema);
        // The example is a body the document takes: the route must take it too (it may still say
        // no for what the body names, such as a resident that does not exist, but not for its shape).
        const example = op?.requestBody?.content["application/json"]?.example;
        expect(example, `${where} has an example`).toBeDefined();
        expect(check(example), `${where}'s example fails the document: ${ajv.errorsText(check.errors)}`).toBe(true);
        const taken = await relay.request(concretePath(route), {
          method: route.method.toUpperCase(),
          json: example,
          ...credentials(route),
        });
        const answer = await taken.text();
        expect(answer, `${where} refuses its example's shape`).not.toMatch(/"(invalid_request|malformed_json)"/);
        checked++;
        for (const body of refusedBodies(schema)) {
          expect(check(body), `${where} ${JSON.stringify(body)} passes the document`).toBe(false);
          const res = await relay.request(concretePath(route), {
            method: route.method.toUpperCase(),
            json: body,
            ...credentials(route),
          });
          const text = await res.text();
          expect(`${res.status} ${text.includes('"invalid_request"')}`, `${where} ${JSON.stringify(body)}: ${text}`).toBe(
            "400 true",
          );
          checked++;
        }
      }
      const query = op?.parameters?.filter((p) => p.in === "query") ?? [];
      if (query.length > 0) {
        const asObject = ajv.compile({
          type: "object",
          properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
          additionalProperties: false,
        });
        for (const params of [
          { notAParameter: "1" },
          ...query.map((p) => ({ [p.name]: p.schema.type === "string" ? "" : "not-a-number" })),
        ]) {
          if (asObject(params)) continue; // an empty string may be a valid search
          const res = await relay.request(`${concretePath(route)}?${new URLSearchParams(params)}`, credentials(route));
          expect(res.status, `${where}?${new URLSearchParams(params)}: ${await res.text()}`).toBe(400);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});
