import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FIRST_SCREEN_SCRIPT, healthSchema } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { hashToken } from "./services/credentials";
import { engines } from "./test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  firstStaffSetupToken,
  pairTablet,
  type Relay,
  SESSION_COOKIE,
  STAFF,
  startRelay,
} from "./test-support";

function cspDirectives(res: Response): Map<string, string> {
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values.join(" ")]),
  );
}

describe.each(engines)("the app on $name", (engine) => {
  describe("every response", () => {
    it.each([
      ["the health check", "/healthz"],
      ["an API error", "/api/staff/me"],
      ["an unknown API address", "/api/nothing-here"],
      ["an unknown page", "/nothing-here"],
    ])("from %s carries a strict Content-Security-Policy and no referrer", async (_what, urlPath) => {
      const relay = await startRelay({ engine });
      const res = await relay.request(urlPath);
      const csp = cspDirectives(res);
      // The site's own scripts, and inline only the first-screen script, by its hash.
      const firstScreen = createHash("sha256").update(FIRST_SCREEN_SCRIPT).digest("base64");
      expect(csp.get("script-src")).toBe(`'self' 'sha256-${firstScreen}'`);
      expect(csp.get("object-src")).toBe("'none'");
      expect(res.headers.get("Content-Security-Policy")).not.toContain("unsafe-inline");
      expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    });
  });

  describe("the relay", () => {
    it("answers the health check", async () => {
      const relay = await startRelay({ engine });
      expect(await expectBody(await relay.request("/healthz"), 200, healthSchema)).toMatchObject({ status: "ok" });
    });

    it("answers an unknown API address with a JSON 404", async () => {
      const relay = await startRelay({ engine });
      await expectError(await relay.request("/api/nothing-here"), 404, "not_found");
    });

    it("answers an unexpected failure with a plain 500 that gives nothing away", async () => {
      const relay = await startRelay({ engine });
      await relay.db.destroy();
      const res = await relay.request("/api/staff/login", { json: { email: STAFF.email, password: STAFF.password } });
      const message = await expectError(res, 500, "internal");
      expect(message).not.toMatch(/destroy|kysely|sqlite|postgres|pool/i);
    });
  });

  describe("credentials", () => {
    /** Every raw credential must be absent from the tables and the files, and its hash present. */
    async function expectOnlyHashes(relay: Relay, credentials: Record<string, string>) {
      const tables = JSON.stringify(await dumpTables(relay));
      const files = fs
        .readdirSync(relay.dataDir)
        .map((f) => fs.readFileSync(path.join(relay.dataDir, f)).toString("latin1"))
        .join("\n");
      for (const [name, raw] of Object.entries(credentials)) {
        expect(raw, name).toMatch(/^[A-Za-z0-9_-]{8,43}$/);
        expect(tables, `${name} in a table`).not.toContain(raw);
        expect(files, `${name} in the data folder`).not.toContain(raw);
        expect(tables, `the hash of ${name}`).toContain(hashToken(raw));
      }
    }

    it("are kept only as hashes: no raw token is in any table or anywhere in the data folder", async () => {
      const relay = await startRelay({ engine });
      const setupToken = await firstStaffSetupToken(relay);
      // The set-up token is used up by set-up, so it is looked for while it waits.
      await expectOnlyHashes(relay, { setupToken });

      const staff = await firstStaff(relay);
      const session = staff.cookie.slice(`${SESSION_COOKIE}=`.length);
      const resident = await staff.createResident("Margaret");
      const { token: familyToken } = await staff.createFamilyLink(resident.id, "Sarah");
      const { code } = await staff.createSetupCode(resident.id);
      await expectOnlyHashes(relay, { session, familyToken, code });

      const deviceToken = await pairTablet(relay, code);
      await expectOnlyHashes(relay, { session, familyToken, deviceToken });
    });
  });
});
