import {
  acceptInviteRequestSchema,
  createFamilyLinkRequestSchema,
  createInviteRequestSchema,
  createResidentRequestSchema,
  dashboardQuerySchema,
  type StaffMember,
  type StaffSession,
  staffLoginRequestSchema,
  staffSetupRequestSchema,
  updateFamilyLinkRequestSchema,
  updateOrgSettingsRequestSchema,
  updateResidentRequestSchema,
} from "@letterbox/shared";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { AppError } from "../errors";
import { clientAddress } from "../http/client-address";
import { sameOrigin } from "../http/same-origin";
import { validate } from "../http/validate";
import type { Actor } from "../services/audit";
import type { DashboardService } from "../services/dashboard-service";
import type { DataProtectionService } from "../services/data-protection-service";
import type { FamilyLinkService } from "../services/family-link-service";
import type { ResidentService } from "../services/resident-service";
import { requireAdmin, SESSION_IDLE_MINUTES, type StaffService } from "../services/staff-service";
import type { TabletService } from "../services/tablet-service";

export const SESSION_COOKIE = "letterbox_staff";
export const residentParam = z.object({ residentId: z.uuid() });
export const linkParam = z.object({ residentId: z.uuid(), linkId: z.uuid() });
export const deviceParam = z.object({ residentId: z.uuid(), deviceId: z.uuid() });
export const staffParam = z.object({ staffId: z.uuid() });
const ok = { ok: true as const };

type Env = { Variables: { staff: StaffMember; actor: Actor } };

/** What the console calls on: one service a concern. */
export type StaffConsoleServices = {
  staff: StaffService;
  residents: ResidentService;
  familyLinks: FamilyLinkService;
  tablets: TabletService;
  dashboard: DashboardService;
  dataProtection: DataProtectionService;
};

export function staffRoutes(
  { staff, residents, familyLinks, tablets, dashboard, dataProtection }: StaffConsoleServices,
  opts: { secureCookies: boolean; publicUrl: string; councilName?: string },
) {
  const startSession = (c: Context, token: string) =>
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      secure: opts.secureCookies,
      path: "/api/staff",
      maxAge: SESSION_IDLE_MINUTES * 60,
    });

  const admin = new Hono<Env>()
    .use(async (c, next) => {
      requireAdmin(c.get("staff"));
      await next();
    })
    .get("/staff", async (c) => c.json({ staff: await staff.listStaff() }))
    .post("/invites", validate("json", createInviteRequestSchema), async (c) =>
      c.json({ invite: await staff.invite(c.req.valid("json").role, c.get("actor")) }, 201),
    )
    .post("/staff/:staffId/disable", validate("param", staffParam), async (c) => {
      await staff.setDisabled(c.req.valid("param").staffId, true, c.get("actor"));
      return c.json(ok);
    })
    .post("/staff/:staffId/enable", validate("param", staffParam), async (c) => {
      await staff.setDisabled(c.req.valid("param").staffId, false, c.get("actor"));
      return c.json(ok);
    })
    .post("/staff/:staffId/end-sessions", validate("param", staffParam), async (c) =>
      c.json({ ended: await staff.endSessions(c.req.valid("param").staffId, c.get("actor")) }),
    )
    .get("/audit", async (c) => c.json({ entries: await dataProtection.auditLog() }))
    .get("/settings", async (c) => c.json({ settings: await residents.orgSettings() }))
    .get("/audit.csv", async (c) =>
      c.body(await dataProtection.auditCsv(c.get("actor")), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="letterbox-audit.csv"',
      }),
    )
    .patch("/settings", validate("json", updateOrgSettingsRequestSchema), async (c) =>
      c.json({ settings: await residents.updateOrgSettings(c.req.valid("json"), c.get("actor")) }),
    );

  const signedIn = new Hono<Env>()
    .use(async (c, next) => {
      const token = getCookie(c, SESSION_COOKIE);
      const member = await staff.authenticate(token);
      c.set("staff", member);
      c.set("actor", { staff: member, source: clientAddress(c) });
      // The server extends an idle session on use; so must the browser's cookie.
      if (token) startSession(c, token);
      await next();
    })
    .get("/me", (c) => c.json({ staff: c.get("staff"), council: opts.councilName ?? "your council" }))
    .get("/dashboard", validate("query", dashboardQuerySchema), async (c) => c.json(await dashboard.page(c.req.valid("query"))))
    .get("/dashboard/:residentId", validate("param", residentParam), async (c) =>
      c.json({ row: await dashboard.row(c.req.valid("param").residentId) }),
    )
    .get("/residents", async (c) => c.json({ residents: await residents.list() }))
    .post("/residents", validate("json", createResidentRequestSchema), async (c) =>
      c.json({ resident: await residents.create(c.req.valid("json"), c.get("actor")) }, 201),
    )
    .get("/residents/:residentId", validate("param", residentParam), async (c) =>
      c.json({ resident: await residents.get(c.req.valid("param").residentId) }),
    )
    .patch("/residents/:residentId", validate("param", residentParam), validate("json", updateResidentRequestSchema), async (c) =>
      c.json({ resident: await residents.update(c.req.valid("param").residentId, c.req.valid("json"), c.get("actor")) }),
    )
    .post("/residents/:residentId/archive", validate("param", residentParam), async (c) =>
      c.json({ resident: await residents.setArchived(c.req.valid("param").residentId, true, c.get("actor")) }),
    )
    .post("/residents/:residentId/unarchive", validate("param", residentParam), async (c) =>
      c.json({ resident: await residents.setArchived(c.req.valid("param").residentId, false, c.get("actor")) }),
    )
    .delete("/residents/:residentId", validate("param", residentParam), async (c) => {
      await dataProtection.erase(c.req.valid("param").residentId, c.get("actor"));
      return c.json(ok);
    })
    .get("/residents/:residentId/export", validate("param", residentParam), async (c) => {
      const { fileName, zip } = await dataProtection.export(c.req.valid("param").residentId, c.get("actor"));
      return c.body(new Uint8Array(zip), 200, {
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "Cache-Control": "no-store",
      });
    })
    .get("/residents/:residentId/family-links", validate("param", residentParam), async (c) =>
      c.json({ links: await familyLinks.list(c.req.valid("param").residentId) }),
    )
    .post(
      "/residents/:residentId/family-links",
      validate("param", residentParam),
      validate("json", createFamilyLinkRequestSchema),
      async (c) =>
        c.json({ link: await familyLinks.create(c.req.valid("param").residentId, c.req.valid("json"), c.get("actor")) }, 201),
    )
    .patch(
      "/residents/:residentId/family-links/:linkId",
      validate("param", linkParam),
      validate("json", updateFamilyLinkRequestSchema),
      async (c) => {
        const { residentId, linkId } = c.req.valid("param");
        return c.json({ link: await familyLinks.update(residentId, linkId, c.req.valid("json"), c.get("actor")) });
      },
    )
    .post("/residents/:residentId/family-links/:linkId/revoke", validate("param", linkParam), async (c) => {
      const { residentId, linkId } = c.req.valid("param");
      await familyLinks.revoke(residentId, linkId, c.get("actor"));
      return c.json(ok);
    })
    .post("/residents/:residentId/family-links/:linkId/reissue", validate("param", linkParam), async (c) => {
      const { residentId, linkId } = c.req.valid("param");
      return c.json({ link: await familyLinks.reissue(residentId, linkId, c.get("actor")) }, 201);
    })
    .post("/residents/:residentId/setup-codes", validate("param", residentParam), async (c) =>
      c.json({ setupCode: await tablets.createSetupCode(c.req.valid("param").residentId, c.get("actor")) }, 201),
    )
    .get("/residents/:residentId/devices", validate("param", residentParam), async (c) =>
      c.json({ devices: await tablets.list(c.req.valid("param").residentId) }),
    )
    .post("/residents/:residentId/devices/:deviceId/wipe", validate("param", deviceParam), async (c) => {
      const { residentId, deviceId } = c.req.valid("param");
      await tablets.wipe(residentId, deviceId, c.get("actor"));
      return c.json(ok);
    })
    .route("/", admin);

  return (
    new Hono()
      .use(sameOrigin(opts.publicUrl))
      .post("/setup", validate("json", staffSetupRequestSchema), async (c) => {
        const { sessionToken, staff: member } = await staff.createFirstStaff(c.req.valid("json"), clientAddress(c));
        startSession(c, sessionToken);
        return c.json({ staff: member }, 201);
      })
      .post("/invites/accept", validate("json", acceptInviteRequestSchema), async (c) => {
        const { sessionToken, staff: member } = await staff.acceptInvite(c.req.valid("json"), clientAddress(c));
        startSession(c, sessionToken);
        return c.json({ staff: member }, 201);
      })
      .post("/login", validate("json", staffLoginRequestSchema), async (c) => {
        const { email, password } = c.req.valid("json");
        const { sessionToken, staff: member } = await staff.signIn(email, password, clientAddress(c));
        startSession(c, sessionToken);
        return c.json({ staff: member });
      })
      // Outside the signed-in group: the console asks this on opening, and signed out is an answer here.
      .get("/session", async (c) => {
        const token = getCookie(c, SESSION_COOKIE);
        if (!token) return c.json({ signedIn: false } satisfies StaffSession);
        try {
          const member = await staff.authenticate(token);
          startSession(c, token);
          return c.json({ signedIn: true, staff: member, council: opts.councilName ?? "your council" } satisfies StaffSession);
        } catch (err) {
          if (!(err instanceof AppError && err.code === "unauthenticated")) throw err;
          deleteCookie(c, SESSION_COOKIE, { path: "/api/staff" });
          return c.json({ signedIn: false } satisfies StaffSession);
        }
      })
      // Outside the signed-in group: signing out needs no valid session, and must not renew the cookie.
      .post("/logout", async (c) => {
        await staff.signOut(getCookie(c, SESSION_COOKIE));
        deleteCookie(c, SESSION_COOKIE, { path: "/api/staff" });
        return c.json(ok);
      })
      .route("/", signedIn)
  );
}
