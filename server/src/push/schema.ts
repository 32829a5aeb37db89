/** Tables of the push module, part of the relay's Database type (db/schema.ts). */
// biome-ignore lint/complexity/noBannedTypes: filled in as the push module grows.
export type PushTables = {};
