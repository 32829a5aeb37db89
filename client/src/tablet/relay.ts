import { answer, api, bearer, call } from "../api/client";
import type { Relay } from "./sync";

/** The tablet's calls, through the shared typed client: each answer's type comes from the relay's routes. */
const tablet = api.tablet;

/** Pages as large as the relay allows: a tablet back after days catches up in few requests. */
const PAGE_SIZE = 200;

export const relay: Relay = {
  pull: (deviceToken, after) =>
    call(tablet.sync.$get({ query: { after: String(after), limit: String(PAGE_SIZE) } }, bearer(deviceToken))),
  sendReceipts: async (deviceToken, receipts) => {
    await call(tablet.receipts.$post({ json: { receipts } }, bearer(deviceToken)));
  },
  sendReply: async (deviceToken, reply) => (await call(tablet.replies.$post({ json: reply }, bearer(deviceToken)))).reply,
  fetchPhoto: async (deviceToken, photoId) =>
    (await answer(tablet.photos[":id"].$get({ param: { id: photoId } }, bearer(deviceToken)))).blob(),
  sendStatus: async (deviceToken, status) => {
    await call(tablet.status.$post({ json: status }, bearer(deviceToken)));
  },
};

export const pairTablet = (code: string) => call(tablet.pair.$post({ json: { code } }));
