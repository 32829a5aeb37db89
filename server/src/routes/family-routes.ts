import { LIMITS, photoIdSchema, sendMessageRequestSchema, updateFamilyMeRequestSchema, uuidv7Schema } from "@letterbox/shared";
import { Hono } from "hono";
import { z } from "zod";
import { bearerToken } from "../http/client-address";
import { LIVE_CONNECTIONS_PER_CREDENTIAL, type LiveConnections } from "../http/live";
import { readBodyLimited } from "../http/read-body";
import { validate } from "../http/validate";
import { familyPushRoutes } from "../push/push-routes";
import type { PushService } from "../push/push-service";
import type { ConversationService, FamilyPrincipal } from "../services/conversation-service";
import type { PhotoService } from "../services/photo-service";

export const messageParam = z.object({ id: uuidv7Schema });
export const photoParam = z.object({ id: photoIdSchema });

/** Photos are named by their content, so a photo at an address never changes. */
export const PHOTO_HEADERS = { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=31536000, immutable" };

export function familyRoutes(conversations: ConversationService, photos: PhotoService, live: LiveConnections, push: PushService) {
  return (
    new Hono<{ Variables: { family: FamilyPrincipal } }>()
      .use(async (c, next) => {
        c.set("family", await conversations.authenticateFamily(bearerToken(c)));
        await next();
      })
      .get("/me", async (c) => c.json(await conversations.familyMe(c.get("family"))))
      .patch("/me", validate("json", updateFamilyMeRequestSchema), async (c) =>
        c.json(await conversations.setDisplayName(c.get("family"), c.req.valid("json"))),
      )
      .get("/conversation", async (c) => c.json(await conversations.conversation(c.get("family"))))
      // A hint to fetch the conversation again: their message reached the tablet or was seen, or a
      // reply or (where staff allow) another family member's message arrived.
      .get("/live", (c) => {
        const family = c.get("family");
        return live.stream(c, {
          owner: `family:${family.link.id}`,
          max: LIVE_CONNECTIONS_PER_CREDENTIAL.family,
          hears: (event) => conversations.familyHears(family, event),
        });
      })
      .post("/messages", validate("json", sendMessageRequestSchema), async (c) => {
        const { created, message } = await conversations.send(c.get("family"), c.req.valid("json"));
        return c.json({ message }, created ? 201 : 200);
      })
      .delete("/messages/:id", validate("param", messageParam), async (c) => {
        const { photoIds } = await conversations.deleteMessage(c.get("family"), c.req.valid("param").id);
        await photos.forgetUnused(photoIds);
        return c.json({ ok: true as const });
      })
      // The body is the image itself; its type is decided from its bytes, never from a header.
      .post("/photos", async (c) => {
        const photo = await photos.upload(c.get("family").link, () => readBodyLimited(c, LIMITS.photoUploadMaxBytes));
        return c.json({ photo }, 201);
      })
      .get("/photos/:id/thumb", validate("param", photoParam), async (c) =>
        c.body(new Uint8Array(await photos.thumbForFamily(c.get("family").link, c.req.valid("param").id)), 200, PHOTO_HEADERS),
      )
      .route("/push", familyPushRoutes(push))
  );
}
