import { type Device, SETUP_CODE, type SetupCode } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { LogEvents } from "../events";
import type { TabletPushStatus } from "../push/push-store";
import type { DeviceHealthRow, Store } from "../store";
import type { Actor, Audit } from "./audit";
import { hashToken, newSetupCode } from "./credentials";
import { requireResident } from "./residents";

type Deps = {
  store: Store;
  clock: Clock;
  audit: Audit;
  events: LogEvents;
  /** Where a tablet's push state is kept (the push module): the one source staff are shown. */
  pushStates: { tabletPushStatus(residentId?: string): Promise<TabletPushStatus[]> };
};

/** A tablet counts as online when it reached the relay this recently (it polls every few seconds). */
export const ONLINE_WITHIN_MS = 2 * 60_000;

/** The resident's tablets as staff manage them: set-up codes, health, and the wipe when a loan ends. */
export class TabletService {
  constructor(private readonly deps: Deps) {}

  async createSetupCode(residentId: string, by: Actor): Promise<SetupCode> {
    await requireResident(this.deps.store, residentId);
    const code = newSetupCode();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + SETUP_CODE.ttlMinutes * 60_000).toISOString();
    await this.deps.store.devices.createSetupCode({
      codeHash: hashToken(code),
      residentId,
      createdBy: by.staff.id,
      createdAt: now.toISOString(),
      expiresAt,
    });
    await this.deps.audit.record(by, "tablet.setup_code_created", residentId);
    return { code, expiresAt };
  }

  async list(residentId: string): Promise<Device[]> {
    await requireResident(this.deps.store, residentId);
    const push = await this.pushByDevice(residentId);
    const now = this.deps.clock.now();
    return (await this.deps.store.devices.list(residentId)).map((d) => toDevice(d, push.get(d.id), now));
  }

  /** The loan lifecycle: the tablet's token dies now, and on its next contact it clears itself and shows set-up. */
  async wipe(residentId: string, deviceId: string, by: Actor) {
    if (!(await this.deps.store.devices.wipe(deviceId, residentId, this.deps.clock.now().toISOString()))) {
      throw new AppError("not_found", "There is no active tablet with that id for this resident.");
    }
    this.deps.events.emit({ residentId, seq: 0, kind: "settings" });
    await this.deps.audit.record(by, "tablet.wiped", residentId, { deviceId });
  }

  /** Each tablet's push state by its id: one resident's tablets, or every tablet. */
  async pushByDevice(residentId?: string): Promise<Map<string, TabletPushStatus>> {
    return new Map((await this.deps.pushStates.tabletPushStatus(residentId)).map((p) => [p.deviceId, p]));
  }
}

export const pushFields = (p: TabletPushStatus | undefined) => ({
  pushState: p?.state ?? null,
  pushFailingSince: p?.failingSince ?? null,
  pushProblem: p?.problem ?? null,
});

function toDevice(d: DeviceHealthRow, push: TabletPushStatus | undefined, now: Date): Device {
  return {
    id: d.id,
    pairedAt: d.pairedAt,
    lastSeenAt: d.lastSeenAt,
    online: !d.revokedAt && d.lastSeenAt !== null && now.getTime() - Date.parse(d.lastSeenAt) < ONLINE_WITHIN_MS,
    appVersion: d.appVersion,
    language: d.language,
    ...pushFields(push),
    storageUsedBytes: d.storageUsedBytes,
    storageQuotaBytes: d.storageQuotaBytes,
    storagePersisted: d.storagePersisted,
    battery: d.battery,
    wipedAt: d.revokedAt,
  };
}
