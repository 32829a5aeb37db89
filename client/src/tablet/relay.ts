import type { PairResponse, SyncPage } from "@letterbox/shared";
import { api, bearer, call } from "../api/client";
import type { PullLog } from "./sync";

export const pullLog: PullLog = (deviceToken, after) =>
  call<SyncPage>(api.tablet.sync.$get({ query: { after: String(after) } }, bearer(deviceToken)));

export const pairTablet = (code: string) => call<PairResponse>(api.tablet.pair.$post({ json: { code } }));
