import {
  type Alert,
  batteryLowAndNotCharging,
  type Dashboard,
  type DashboardRow,
  type OrgSettings,
  type ParsedDashboardQuery,
} from "@letterbox/shared";
import type { Clock } from "../clock";
import type { DeviceHealthRow } from "../db/stores/device-store";
import type { ResidentFacts, ResidentRow } from "../db/stores/resident-store";
import type { TabletPushStatus } from "../push/push-store";
import type { Store } from "../store";
import type { ResidentService } from "./resident-service";
import { requireResident, toResident } from "./residents";
import { ONLINE_WITHIN_MS, type TabletService } from "./tablet-service";

type Deps = { store: Store; clock: Clock; residents: ResidentService; tablets: TabletService };

const HOUR = 3_600_000;

/**
 * The staff dashboard: who needs attention and why, from counts and times the relay has. Staff see
 * counts and times here, never message text or photos.
 */
export class DashboardService {
  constructor(private readonly deps: Deps) {}

  /**
   * One page of the residents that match the query, those who need attention first. The order is
   * decided over all of them before the page is cut, so paging and filtering keep the order of need.
   */
  async page(query: ParsedDashboardQuery): Promise<Dashboard> {
    const settings = await this.deps.residents.orgSettings();
    const rows = await this.rows(settings);
    const needle = query.q ? searchable(query.q) : "";
    const matching = rows.filter(
      (row) =>
        (!query.reason || row.alerts.includes(query.reason)) &&
        (!needle ||
          searchable(row.resident.fullName).includes(needle) ||
          searchable(row.resident.preferredName).includes(needle)),
    );
    const lastPage = Math.max(1, Math.ceil(matching.length / query.pageSize));
    const page = Math.min(query.page, lastPage);
    return {
      rows: matching.slice((page - 1) * query.pageSize, page * query.pageSize),
      residents: rows.length,
      needingAttention: rows.filter((row) => row.alerts.some((a) => a !== "paused")).length,
      matching: matching.length,
      page,
      pageSize: query.pageSize,
      settings,
    };
  }

  /** One resident's dashboard row, for their own page; null when archived (they are off the dashboard). */
  async row(residentId: string): Promise<DashboardRow | null> {
    const resident = await requireResident(this.deps.store, residentId);
    if (resident.archivedAt) return null;
    // Only this resident's records: the page must not cost what the whole dashboard does.
    const [settings, facts, devices, push] = await Promise.all([
      this.deps.residents.orgSettings(),
      this.deps.store.residents.facts(residentId),
      this.deps.store.devices.list(residentId),
      this.deps.tablets.pushByDevice(residentId),
    ]);
    return rowOf(resident, currentTablets(devices).get(residentId), facts[0], push, settings, this.deps.clock.now());
  }

  /** Every resident with what needs attention first: all from data the relay has, at the clock's time. */
  private async rows(settings: OrgSettings): Promise<DashboardRow[]> {
    const now = this.deps.clock.now();
    const [facts, devices, push, residents] = await Promise.all([
      this.deps.store.residents.facts(),
      this.deps.store.devices.list(),
      this.deps.tablets.pushByDevice(),
      this.deps.store.residents.list(),
    ]);
    const factsOf = new Map(facts.map((f) => [f.residentId, f]));
    const tablets = currentTablets(devices);
    const scored: { row: DashboardRow; score: number }[] = [];
    for (const resident of residents) {
      if (resident.archivedAt) continue;
      const row = rowOf(resident, tablets.get(resident.id), factsOf.get(resident.id), push, settings, now);
      scored.push({ row, score: needScore(row) });
    }
    scored.sort((a, b) => b.score - a.score || byName.compare(a.row.resident.fullName, b.row.resident.fullName));
    return scored.map((s) => s.row);
  }
}

/**
 * Each resident's tablet: the newest one paired that has not been wiped. `devices` comes newest
 * first, so the first seen per resident wins; one pass, where a search per resident made the
 * dashboard's time grow with the square of the residents.
 */
function currentTablets(devices: DeviceHealthRow[]): Map<string, DeviceHealthRow> {
  const byResident = new Map<string, DeviceHealthRow>();
  for (const d of devices) if (!d.revokedAt && !byResident.has(d.residentId)) byResident.set(d.residentId, d);
  return byResident;
}

/** One resident's row: what needs attention, and the counts and times behind it. */
function rowOf(
  resident: ResidentRow,
  tablet: DeviceHealthRow | undefined,
  f: ResidentFacts | undefined,
  push: Map<string, TabletPushStatus>,
  settings: OrgSettings,
  now: Date,
): DashboardRow {
  const ago = (iso: string | null | undefined) => (iso ? now.getTime() - Date.parse(iso) : Number.POSITIVE_INFINITY);
  const tabletPush = tablet && push.get(tablet.id);
  const alerts: Alert[] = [];
  // A paused resident (hospital stay, bereavement) is expected to be quiet: say only that.
  if (resident.paused) {
    alerts.push("paused");
  } else {
    if (!tablet) alerts.push("tablet_never_set_up");
    else if (ago(tablet.lastSeenAt) > settings.offlineAlertHours * HOUR) alerts.push("tablet_offline");
    if (f?.oldestUnseenAt && ago(f.oldestUnseenAt) > settings.unseenAlertHours * HOUR) alerts.push("messages_unseen");
    // The last reading stands while the tablet is silent: a flat battery is why it went dark.
    if (tablet && batteryLowAndNotCharging(tablet.battery)) alerts.push("battery_low");
    if (tabletPush && (tabletPush.state !== "subscribed" || tabletPush.failingSince)) alerts.push("push_failing");
    // A screen nobody writes to deepens isolation: prompt staff to contact the family.
    const quietSince = f?.lastFamilyMessageAt ?? resident.createdAt;
    if (ago(quietSince) > settings.noFamilyMessageAlertDays * 24 * HOUR) alerts.push("no_family_message");
  }
  // Fields written out, not spread from pushFields(): see toDeviceHealth in device-store.ts.
  return {
    resident: toResident(resident),
    alerts,
    tablet: {
      lastSeenAt: tablet?.lastSeenAt ?? null,
      online: ago(tablet?.lastSeenAt) < ONLINE_WITHIN_MS,
      appVersion: tablet?.appVersion ?? null,
      pushState: tabletPush?.state ?? null,
      pushFailingSince: tabletPush?.failingSince ?? null,
      pushProblem: tabletPush?.problem ?? null,
      storageUsedBytes: tablet?.storageUsedBytes ?? null,
      battery: tablet?.battery ?? null,
    },
    unseenCount: f?.unseenCount ?? 0,
    oldestUnseenAt: f?.oldestUnseenAt ?? null,
    lastSeenMessageAt: f?.lastSeenMessageAt ?? null,
    lastFamilyMessageAt: f?.lastFamilyMessageAt ?? null,
  };
}

/** The order `localeCompare` gives, from one collator made once rather than one per comparison. */
const byName = new Intl.Collator();

const WEIGHT: Record<Alert, number> = {
  tablet_offline: 64,
  messages_unseen: 32,
  // A tablet about to go dark comes before one whose pushes fail: it will soon receive nothing at all.
  battery_low: 16,
  push_failing: 8,
  no_family_message: 4,
  tablet_never_set_up: 2,
  paused: 1,
};
/** How much a row needs attention: the dashboard lists the highest first. */
export const needScore = (row: DashboardRow) => row.alerts.reduce((sum, a) => sum + WEIGHT[a], 0);

/** A name as search compares it: "Siân" is found by "sian", "O’Brien" by "o'brien". */
const searchable = (text: string) =>
  text.normalize("NFKD").replace(/\p{M}/gu, "").replace(/[’‘]/g, "'").replace(/\s+/g, " ").toLocaleLowerCase("en-GB");
