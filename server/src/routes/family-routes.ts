import { sendMessageRequestSchema, uuidv7Schema } from "@letterbox/shared";
import { Hono } from "hono";
import { z } from "zod";
import { bearerToken } from "../http/client-address";
import { validate } from "../http/validate";
import type { ConversationService, FamilyPrincipal } from "../services/conversation-service";

const messageParam = z.object({ id: uuidv7Schema });

export function familyRoutes(conversations: ConversationService) {
  return new Hono<{ Variables: { family: FamilyPrincipal } }>()
    .use(async (c, next) => {
      c.set("family", await conversations.authenticateFamily(bearerToken(c)));
      await next();
    })
    .get("/me", async (c) => c.json(await conversations.familyMe(c.get("family"))))
    .get("/conversation", async (c) => c.json(await conversations.conversation(c.get("family"))))
    .post("/messages", validate("json", sendMessageRequestSchema), async (c) => {
      const { created, message } = await conversations.send(c.get("family"), c.req.valid("json"));
      return c.json({ message }, created ? 201 : 200);
    })
    .delete("/messages/:id", validate("param", messageParam), async (c) => {
      await conversations.deleteMessage(c.get("family"), c.req.valid("param").id);
      return c.json({ ok: true as const });
    });
}
