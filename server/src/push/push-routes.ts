import { familyPushRequestSchema, tabletPushRequestSchema } from "@letterbox/shared";
import { Hono } from "hono";
import { validate } from "../http/validate";
import type { FamilyPrincipal, TabletPrincipal } from "../services/conversation-service";
import type { PushService } from "./push-service";

/** GET /api/push/key: the public key pages subscribe with. No credential: it is public by design. */
export function pushKeyRoutes(push: PushService) {
  return new Hono().get("/key", async (c) => c.json({ publicKey: await push.publicKey() }));
}

/** Mounted at /api/tablet/push, behind the tablet's device token. */
export function tabletPushRoutes(push: PushService) {
  return new Hono<{ Variables: { tablet: TabletPrincipal } }>().post(
    "/",
    validate("json", tabletPushRequestSchema),
    async (c) => {
      await push.reportTablet(c.get("tablet"), c.req.valid("json"));
      return c.json({ ok: true as const });
    },
  );
}

/** Mounted at /api/family/push, behind the family link's token: opt in (POST) and out (DELETE). */
export function familyPushRoutes(push: PushService) {
  return new Hono<{ Variables: { family: FamilyPrincipal } }>()
    .post("/", validate("json", familyPushRequestSchema), async (c) => {
      await push.subscribeFamily(c.get("family"), c.req.valid("json"));
      return c.json({ ok: true as const });
    })
    .delete("/", async (c) => {
      await push.unsubscribeFamily(c.get("family"));
      return c.json({ ok: true as const });
    });
}
