import type { SendMessageRequest } from "@letterbox/shared";
import type { InferResponseType } from "hono/client";
import { answer, api, bearer, call } from "../api/client";
import { errorFrom, unreachable } from "../api/relay-error";
import { readEvents } from "../kit/server-events";

/** The family page's calls, through the shared typed client: each answer's type comes from the relay's routes. */
const family = api.family;

export const getMe = (token: string) => call(family.me.$get({}, bearer(token)));

export const setDisplayName = (token: string, displayName: string | null) =>
  call(family.me.$patch({ json: { displayName } }, bearer(token)));

export const getConversation = (token: string) => call(family.conversation.$get({}, bearer(token)));

export const sendMessage = async (token: string, message: SendMessageRequest) =>
  (await call(family.messages.$post({ json: message }, bearer(token)))).message;

export const deleteMessage = async (token: string, id: string) => {
  await call(family.messages[":id"].$delete({ param: { id } }, bearer(token)));
};

/**
 * Listens to the relay's live connection for this link until it ends or `signal` aborts. Each
 * event is only a hint that the conversation changed (the page then fetches it as usual), so a
 * dropped connection loses nothing. Resolves "replaced" when the relay closed it because the same
 * link opened more connections than it keeps (other tabs or devices).
 */
export async function listenForChanges(
  token: string,
  onChange: () => void,
  onOpen: () => void,
  signal: AbortSignal,
): Promise<"ended" | "replaced"> {
  const res = await answer(family.live.$get({}, { ...bearer(token), init: { signal } }));
  if (!res.body) throw errorFrom(res.status, null);
  let replaced = false;
  try {
    await readEvents(res.body, (event) => {
      if (event === "ready") onOpen();
      else if (event === "log") onChange();
      else if (event === "replaced") replaced = true;
    });
  } catch {
    if (!signal.aborted) throw unreachable();
    return "ended";
  }
  return replaced ? "replaced" : "ended";
}

/** The thumbnail as an object URL: an <img> cannot send the bearer header itself. */
export async function thumbnailUrl(token: string, photoId: string): Promise<string> {
  const res = await answer(family.photos[":id"].thumb.$get({ param: { id: photoId } }, bearer(token)));
  return URL.createObjectURL(await res.blob());
}

/** What the relay answers an upload with, from its routes (the upload itself cannot go through the typed client). */
type Uploaded = InferResponseType<typeof family.photos.$post, 201>;

/**
 * Uploads one photo's bytes with progress (0 to 1). XMLHttpRequest because fetch cannot report
 * upload progress, and a family member on a slow phone needs to see that something is moving.
 * Failures are the same RelayError as every other call's.
 */
export function uploadPhoto(token: string, photo: Blob, onProgress: (fraction: number) => void): Promise<Uploaded["photo"]> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/family/photos");
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", photo.type || "application/octet-stream");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      // Typed from the route (no schema check: zod stays off this page's first load).
      const body: Uploaded | null = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        onProgress(1);
        resolve(body.photo);
      } else {
        reject(xhr.status >= 200 && xhr.status < 300 ? unreachable() : errorFrom(xhr.status, xhr.response));
      }
    };
    xhr.onerror = () => reject(unreachable());
    xhr.ontimeout = xhr.onerror;
    xhr.send(photo);
  });
}
