import {
  pairRequestSchema,
  photoIdSchema,
  receiptsRequestSchema,
  sendReplyRequestSchema,
  syncQuerySchema,
  tabletStatusRequestSchema,
} from "@letterbox/shared";
import { Hono } from "hono";
import { z } from "zod";
import { bearerToken, clientAddress } from "../http/client-address";
import { LIVE_CONNECTIONS_PER_CREDENTIAL, type LiveConnections } from "../http/live";
import { validate } from "../http/validate";
import { tabletPushRoutes } from "../push/push-routes";
import type { PushService } from "../push/push-service";
import type { ConversationService, TabletPrincipal } from "../services/conversation-service";
import type { PhotoService } from "../services/photo-service";
import { PHOTO_HEADERS } from "./family-routes";

export const tabletPhotoParam = z.object({ id: photoIdSchema });

export function tabletRoutes(conversations: ConversationService, photos: PhotoService, live: LiveConnections, push: PushService) {
  const paired = new Hono<{ Variables: { tablet: TabletPrincipal } }>()
    .use(async (c, next) => {
      c.set("tablet", await conversations.authenticateTablet(bearerToken(c)));
      await next();
    })
    .get("/sync", validate("query", syncQuerySchema), async (c) =>
      c.json(await conversations.pull(c.get("tablet"), c.req.valid("query"))),
    )
    .post("/status", validate("json", tabletStatusRequestSchema), async (c) => {
      await conversations.recordStatus(c.get("tablet"), c.req.valid("json"));
      return c.json({ ok: true as const });
    })
    .post("/receipts", validate("json", receiptsRequestSchema), async (c) => {
      await conversations.recordReceipts(c.get("tablet"), c.req.valid("json"));
      return c.json({ ok: true as const });
    })
    .post("/replies", validate("json", sendReplyRequestSchema), async (c) => {
      const { created, reply } = await conversations.reply(c.get("tablet"), c.req.valid("json"));
      return c.json({ reply }, created ? 201 : 200);
    })
    // While the app is open: a hint the moment the resident's log grows (push is for when it is not).
    .get("/live", (c) => {
      const { deviceId, residentId } = c.get("tablet");
      return live.stream(c, {
        owner: `device:${deviceId}`,
        max: LIVE_CONNECTIONS_PER_CREDENTIAL.device,
        hears: (event) => event.residentId === residentId,
      });
    })
    .get("/photos/:id", validate("param", tabletPhotoParam), async (c) =>
      c.body(new Uint8Array(await photos.forTablet(c.get("tablet").residentId, c.req.valid("param").id)), 200, PHOTO_HEADERS),
    )
    .route("/push", tabletPushRoutes(push));

  return new Hono()
    .post("/pair", validate("json", pairRequestSchema), async (c) =>
      c.json(await conversations.pair(c.req.valid("json").code, clientAddress(c)), 201),
    )
    .route("/", paired);
}
