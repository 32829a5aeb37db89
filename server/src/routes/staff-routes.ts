import {
  createFamilyLinkRequestSchema,
  createResidentRequestSchema,
  type StaffMember,
  staffLoginRequestSchema,
  staffSetupRequestSchema,
  updateResidentRequestSchema,
} from "@letterbox/shared";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { clientAddress } from "../http/client-address";
import { validate } from "../http/validate";
import { SESSION_IDLE_MINUTES, type StaffService } from "../services/staff-service";

const SESSION_COOKIE = "letterbox_staff";
const idParam = z.object({ residentId: z.uuid() });
const linkParam = z.object({ residentId: z.uuid(), linkId: z.uuid() });

export function staffRoutes(staff: StaffService, opts: { secureCookies: boolean }) {
  const startSession = (c: Context, token: string) =>
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      secure: opts.secureCookies,
      path: "/api/staff",
      maxAge: SESSION_IDLE_MINUTES * 60,
    });

  const signedIn = new Hono<{ Variables: { staff: StaffMember } }>()
    .use(async (c, next) => {
      const token = getCookie(c, SESSION_COOKIE);
      c.set("staff", await staff.authenticate(token));
      // The server extends an idle session on use; so must the browser's cookie.
      if (token) startSession(c, token);
      await next();
    })
    .get("/me", (c) => c.json({ staff: c.get("staff") }))
    .get("/residents", async (c) => c.json({ residents: await staff.listResidents() }))
    .post("/residents", validate("json", createResidentRequestSchema), async (c) =>
      c.json({ resident: await staff.createResident(c.req.valid("json"), c.get("staff")) }, 201),
    )
    .patch("/residents/:residentId", validate("param", idParam), validate("json", updateResidentRequestSchema), async (c) =>
      c.json({ resident: await staff.updateResident(c.req.valid("param").residentId, c.req.valid("json"), c.get("staff")) }),
    )
    .get("/residents/:residentId/family-links", validate("param", idParam), async (c) =>
      c.json({ links: await staff.listFamilyLinks(c.req.valid("param").residentId) }),
    )
    .post(
      "/residents/:residentId/family-links",
      validate("param", idParam),
      validate("json", createFamilyLinkRequestSchema),
      async (c) =>
        c.json({ link: await staff.createFamilyLink(c.req.valid("param").residentId, c.req.valid("json"), c.get("staff")) }, 201),
    )
    .post("/residents/:residentId/family-links/:linkId/revoke", validate("param", linkParam), async (c) => {
      const { residentId, linkId } = c.req.valid("param");
      await staff.revokeFamilyLink(residentId, linkId, c.get("staff"));
      return c.json({ ok: true as const });
    })
    .post("/residents/:residentId/setup-codes", validate("param", idParam), async (c) =>
      c.json({ setupCode: await staff.createSetupCode(c.req.valid("param").residentId, c.get("staff")) }, 201),
    );

  return (
    new Hono()
      .post("/setup", validate("json", staffSetupRequestSchema), async (c) => {
        const { sessionToken, staff: member } = await staff.createFirstStaff(c.req.valid("json"), clientAddress(c));
        startSession(c, sessionToken);
        return c.json({ staff: member }, 201);
      })
      .post("/login", validate("json", staffLoginRequestSchema), async (c) => {
        const { email, password } = c.req.valid("json");
        const { sessionToken, staff: member } = await staff.signIn(email, password, clientAddress(c));
        startSession(c, sessionToken);
        return c.json({ staff: member });
      })
      // Outside the signed-in group: signing out needs no valid session, and must not renew the cookie.
      .post("/logout", async (c) => {
        await staff.signOut(getCookie(c, SESSION_COOKIE));
        deleteCookie(c, SESSION_COOKIE, { path: "/api/staff" });
        return c.json({ ok: true as const });
      })
      .route("/", signedIn)
  );
}
