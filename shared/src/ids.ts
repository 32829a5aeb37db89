import "./zod-config";
import { z } from "zod";

/** Client-made ids are UUIDv7 so that the relay can order and de-duplicate retries. */
export const uuidv7Schema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "must be a UUIDv7");

/** Tokens are 32 random bytes in base64url (43 characters). */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "is not a Letterbox token");

export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** Photos are content-addressed: the id is the SHA-256 (hex) of the stored display image. */
export const photoIdSchema = z.string().regex(/^[0-9a-f]{64}$/, "is not a photo id");

/** "21:00": a time of day on the resident's clock. */
export const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time like 21:00");
