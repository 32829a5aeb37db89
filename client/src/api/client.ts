import type { AppType } from "@letterbox/server";
import { type ClientResponse, hc, parseResponse } from "hono/client";
import { errorFrom, unreachable } from "./relay-error";

/*
 * The one way the tablet, the family page and the console talk to the relay: the typed client,
 * typed from the relay's routes, so a changed route or answer breaks the build. Only types come
 * from the contract (`@letterbox/shared`), which keeps zod off the tablet's and family page's
 * first load. Failures of every kind are thrown as one RelayError.
 */
export const api = hc<AppType>("/").api;

export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

/**
 * Awaits a typed call and returns its response when the relay said yes, for bodies that are not
 * JSON (photos, the live connection). Otherwise throws a RelayError with the relay's code and
 * sentence, or "network" when the relay was never reached.
 */
export async function answer<R extends ClientResponse<unknown>>(request: Promise<R>): Promise<R> {
  let res: R;
  try {
    res = await request;
  } catch {
    throw unreachable();
  }
  if (!res.ok) throw errorFrom(res.status, await res.json().catch(() => null));
  return res;
}

/**
 * Awaits a typed call and returns its JSON body, typed by the route's own success answer
 * (hono's parseResponse). An answer cut off while its body was read counts as no network.
 */
export async function call<R extends ClientResponse<unknown>>(request: Promise<R>) {
  const res = await answer(request);
  try {
    return await parseResponse(res);
  } catch {
    throw unreachable();
  }
}
