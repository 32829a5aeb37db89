import { randomUUID } from "node:crypto";
import {
  type CreateResidentRequest,
  type OrgSettings,
  orgSettingsSchema,
  type Resident,
  type UpdateResidentRequest,
} from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { LogEvents } from "../events";
import type { ResidentRow, Store } from "../store";
import type { Actor, Audit } from "./audit";
import { newResidentRow, requireResident, toResident } from "./residents";

type Deps = { store: Store; clock: Clock; audit: Audit; events: LogEvents };

export const DEFAULT_ORG_SETTINGS: OrgSettings = {
  offlineAlertHours: 48,
  unseenAlertHours: 48,
  noFamilyMessageAlertDays: 14,
  auditRetentionDays: 730,
};

/** The resident's record and its settings, and the council's settings that apply to every resident. */
export class ResidentService {
  constructor(private readonly deps: Deps) {}

  async create(input: CreateResidentRequest, by: Actor): Promise<Resident> {
    const resident = newResidentRow(randomUUID(), input.fullName, input.preferredName, this.deps.clock.now().toISOString());
    await this.deps.store.residents.create(resident);
    await this.deps.audit.record(by, "resident.created", resident.id);
    return toResident(resident);
  }

  async update(id: string, input: UpdateResidentRequest, by: Actor): Promise<Resident> {
    await requireResident(this.deps.store, id);
    const updated = await this.deps.store.residents.update(id, input);
    if (!updated) throw new AppError("not_found", "There is no resident with that id.");
    // An open tablet (and family page) hears at once, rather than at its next timed sync.
    this.deps.events.emit({ residentId: id, seq: 0, kind: "settings" });
    const action = input.paused === true ? "resident.paused" : input.paused === false ? "resident.resumed" : "resident.updated";
    await this.deps.audit.record(by, action, id, { fields: Object.keys(input) });
    return toResident(updated);
  }

  async setArchived(id: string, archived: boolean, by: Actor): Promise<Resident> {
    await requireResident(this.deps.store, id);
    const archivedAt = archived ? this.deps.clock.now().toISOString() : null;
    const updated = await this.deps.store.residents.update(id, { archivedAt });
    await this.deps.audit.record(by, archived ? "resident.archived" : "resident.unarchived", id);
    return toResident(updated as ResidentRow);
  }

  async list(): Promise<Resident[]> {
    return (await this.deps.store.residents.list()).map(toResident);
  }

  async get(id: string): Promise<Resident> {
    return toResident(await requireResident(this.deps.store, id));
  }

  /** What the council chose, with the defaults for what it has not. */
  async orgSettings(): Promise<OrgSettings> {
    const stored = orgSettingsSchema.partial().safeParse(await this.deps.store.residents.getOrgSettings());
    return { ...DEFAULT_ORG_SETTINGS, ...(stored.success ? stored.data : {}) };
  }

  async updateOrgSettings(patch: Partial<OrgSettings>, by: Actor): Promise<OrgSettings> {
    await this.deps.store.residents.setOrgSettings(patch);
    await this.deps.audit.record(by, "settings.updated", null, patch);
    return this.orgSettings();
  }
}
