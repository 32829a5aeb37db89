import type { AppType } from "@letterbox/server";
import type { ErrorCode } from "@letterbox/shared";
import { hc } from "hono/client";

/** The only way the apps talk to the relay: typed from the server's routes, so a changed route breaks the build. */
export const api = hc<AppType>("/").api;

export function bearer(token: string) {
  return { headers: { Authorization: `Bearer ${token}` } };
}

/** A failure the relay explained: `code` is stable, `message` can be shown to staff or family. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const OFFLINE_MESSAGE = "Letterbox could not be reached. Check the internet connection and try again.";

/**
 * Awaits a typed call and returns its JSON body, or throws an ApiError carrying the relay's code
 * and sentence (or "network" when the relay was never reached).
 */
export async function call<T>(request: Promise<{ ok: boolean; status: number; json(): Promise<T> }>): Promise<T> {
  let res: Awaited<typeof request>;
  try {
    res = await request;
  } catch {
    throw new ApiError(0, "network", OFFLINE_MESSAGE);
  }
  if (res.ok) return res.json();
  const error = readError(await res.json().catch(() => undefined));
  if (error) throw new ApiError(res.status, error.code, error.message);
  throw new ApiError(res.status, "internal", "Something went wrong. Please try again in a minute.");
}

/** The relay's `{ error: { code, message } }`, read without the schema library (it stays off the pages' first load). */
function readError(body: unknown): { code: ErrorCode; message: string } | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null | undefined)?.error;
  if (typeof error?.code !== "string" || typeof error.message !== "string") return undefined;
  return { code: error.code as ErrorCode, message: error.message };
}
