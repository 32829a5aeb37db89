import type { AppType } from "@letterbox/server";
import type { Conversation, ErrorCode, FamilyMe, SendMessageRequest, SentMessage, UploadedPhoto } from "@letterbox/shared";
import { hc } from "hono/client";
import { readEvents } from "../kit/server-events";

/*
 * The family page's calls to the relay. It uses the typed client like every app, but not
 * `api/client.ts`: that module checks error bodies with the contract's zod schemas, and any runtime
 * import of `@letterbox/shared` brings all of zod (~28 KB gzip) onto the family page's critical
 * path, which a phone on one bar of signal pays for. Only types come from the contract here.
 */
const family = hc<AppType>("/").api.family;

const auth = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

/** A failure the relay explained (its code is stable, its sentence can be shown), or "network" when it was never reached. */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
  ) {
    super(message);
    this.name = "RelayError";
  }

  /** Worth trying again later by itself: no signal, or the relay busy or briefly broken. */
  get transient(): boolean {
    return this.code === "network" || this.status === 429 || this.status >= 500;
  }
}

const NETWORK = "Letterbox could not be reached. Check the internet connection and try again.";
const UNKNOWN = "Something went wrong. Please try again in a minute.";

/** The relay's `{ error: { code, message } }`, read without zod (see above). */
export function errorFrom(status: number, body: unknown): RelayError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    return new RelayError(status, error.code as ErrorCode, error.message);
  }
  return new RelayError(status, "internal", UNKNOWN);
}

type Answer<T> = { ok: boolean; status: number; json(): Promise<T> };

async function call<T>(request: Promise<Answer<T>>): Promise<T> {
  let res: Answer<T>;
  try {
    res = await request;
  } catch {
    throw new RelayError(0, "network", NETWORK);
  }
  if (res.ok) return res.json();
  throw errorFrom(res.status, await res.json().catch(() => null));
}

export const getMe = (token: string) => call<FamilyMe>(family.me.$get({}, auth(token)));

export const setDisplayName = (token: string, displayName: string | null) =>
  call<FamilyMe>(family.me.$patch({ json: { displayName } }, auth(token)));

export const getConversation = (token: string) => call<Conversation>(family.conversation.$get({}, auth(token)));

export const sendMessage = async (token: string, message: SendMessageRequest) =>
  (await call<{ message: SentMessage }>(family.messages.$post({ json: message }, auth(token)))).message;

export const deleteMessage = async (token: string, id: string) => {
  await call(family.messages[":id"].$delete({ param: { id } }, auth(token)));
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
  let res: Response;
  try {
    res = await family.live.$get({}, { ...auth(token), init: { signal } });
  } catch {
    throw new RelayError(0, "network", NETWORK);
  }
  if (!res.ok || !res.body) throw errorFrom(res.status, await res.json().catch(() => null));
  let replaced = false;
  try {
    await readEvents(res.body, (event) => {
      if (event === "ready") onOpen();
      else if (event === "log") onChange();
      else if (event === "replaced") replaced = true;
    });
  } catch {
    if (!signal.aborted) throw new RelayError(0, "network", NETWORK);
    return "ended";
  }
  return replaced ? "replaced" : "ended";
}

/** The thumbnail as an object URL: an <img> cannot send the bearer header itself. */
export async function thumbnailUrl(token: string, photoId: string): Promise<string> {
  let res: Response;
  try {
    res = await family.photos[":id"].thumb.$get({ param: { id: photoId } }, auth(token));
  } catch {
    throw new RelayError(0, "network", NETWORK);
  }
  if (!res.ok) throw errorFrom(res.status, await res.json().catch(() => null));
  return URL.createObjectURL(await res.blob());
}

/**
 * Uploads one photo's bytes with progress (0 to 1). XMLHttpRequest because fetch cannot report
 * upload progress, and a family member on a slow phone needs to see that something is moving.
 */
export function uploadPhoto(token: string, photo: Blob, onProgress: (fraction: number) => void): Promise<UploadedPhoto> {
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
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve((xhr.response as { photo: UploadedPhoto }).photo);
      } else {
        reject(errorFrom(xhr.status, xhr.response));
      }
    };
    xhr.onerror = () => reject(new RelayError(0, "network", NETWORK));
    xhr.ontimeout = xhr.onerror;
    xhr.send(photo);
  });
}
