import { sendMessageRequestSchema } from "@letterbox/shared";
import { Hono } from "hono";
import { bearerToken } from "../http/client-address";
import { validate } from "../http/validate";
import type { ConversationService, FamilyPrincipal } from "../services/conversation-service";

export function familyRoutes(conversations: ConversationService) {
  return new Hono<{ Variables: { family: FamilyPrincipal } }>()
    .use(async (c, next) => {
      c.set("family", await conversations.authenticateFamily(bearerToken(c)));
      await next();
    })
    .get("/me", async (c) => c.json(await conversations.familyMe(c.get("family"))))
    .get("/messages", async (c) => c.json({ messages: await conversations.familyMessages(c.get("family")) }))
    .post("/messages", validate("json", sendMessageRequestSchema), async (c) => {
      const { created, message } = await conversations.send(c.get("family"), c.req.valid("json"));
      return c.json({ message }, created ? 201 : 200);
    });
}
