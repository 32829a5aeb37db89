import type { AppType } from "@letterbox/server";
import type { PairResponse, SentReply, SyncPage } from "@letterbox/shared";
import { hc } from "hono/client";
import { RelayError } from "./relay-error";
import type { Relay } from "./sync";

// The tablet's own typed client rather than api/client.ts: that module validates error bodies with
// zod, which would put zod on the tablet's first load. Here an error is only a status and a code.
const tablet = hc<AppType>("/").api.tablet;

/** Pages as large as the relay allows: a tablet back after days catches up in few requests. */
const PAGE_SIZE = 200;

const auth = (deviceToken: string) => ({ headers: { Authorization: `Bearer ${deviceToken}` } });

export async function answer(request: Promise<Response>): Promise<Response> {
  let res: Response;
  try {
    res = await request;
  } catch {
    throw new RelayError(0, "network");
  }
  if (res.ok) return res;
  const body: unknown = await res.json().catch(() => undefined);
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const text = (value: unknown, fallback: string) => (typeof value === "string" ? value : fallback);
  throw new RelayError(res.status, text(error?.code, "unknown"), text(error?.message, ""));
}

const json = async <T>(request: Promise<Response>): Promise<T> => (await answer(request)).json() as Promise<T>;

export const relay: Relay = {
  pull: (deviceToken, after) =>
    json<SyncPage>(tablet.sync.$get({ query: { after: String(after), limit: String(PAGE_SIZE) } }, auth(deviceToken))),
  sendReceipts: async (deviceToken, receipts) => {
    await answer(tablet.receipts.$post({ json: { receipts } }, auth(deviceToken)));
  },
  sendReply: async (deviceToken, reply) =>
    (await json<{ reply: SentReply }>(tablet.replies.$post({ json: reply }, auth(deviceToken)))).reply,
  fetchPhoto: async (deviceToken, photoId) =>
    (await answer(tablet.photos[":id"].$get({ param: { id: photoId } }, auth(deviceToken)))).blob(),
  sendStatus: async (deviceToken, status) => {
    await answer(tablet.status.$post({ json: status }, auth(deviceToken)));
  },
};

export async function pairTablet(code: string): Promise<PairResponse> {
  return json<PairResponse>(tablet.pair.$post({ json: { code } }));
}
