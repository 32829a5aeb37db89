import { z } from "zod";

/**
 * zod compiles object parsers with `new Function` unless told not to, and finds out whether it may
 * by trying `new Function("")` when the first object schema is made. The staff console's strict
 * Content-Security-Policy (no 'unsafe-eval') reports that try as a violation on every load, even
 * though zod catches the refusal. Every module here that makes a schema imports this file first, so
 * the setting is in place before any schema exists, in the browser and in the relay alike (whose
 * parsing time is small beside its disk writes).
 */
z.config({ jitless: true });
