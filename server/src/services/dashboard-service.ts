import {
  type Alert,
  batteryLowAndNotCharging,
  type Dashboard,
  type DashboardRow,
  type OrgSettings,
  type ParsedDashboardQuery,
} from "@letterbox/shared";
import type { Clock } from "../clock";
import type { Store } from "../store";
import type { ResidentService } from "./resident-service";
import { requireResident, toResident } from "./residents";
import { ONLINE_WITHIN_MS, pushFields, type TabletService } from "./tablet-service";

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
    await requireResident(this.deps.store, residentId);
    const rows = await this.rows(await this.deps.residents.orgSettings(), residentId);
    return rows[0] ?? null;
  }

  /** Every resident with what needs attention first: all from data the relay has, at the clock's time. */
  private async rows(settings: OrgSettings, onlyResidentId?: string): Promise<DashboardRow[]> {
    const now = this.deps.clock.now();
    const facts = new Map((await this.deps.store.residents.facts()).map((f) => [f.residentId, f]));
    const devices = await this.deps.store.devices.list();
    const push = await this.deps.tablets.pushByDevice();
    const rows: DashboardRow[] = [];
    for (const resident of await this.deps.store.residents.list()) {
      if (resident.archivedAt || (onlyResidentId && resident.id !== onlyResidentId)) continue;
      const tablet = devices.find((d) => d.residentId === resident.id && !d.revokedAt);
      const f = facts.get(resident.id);
      const ago = (iso: string | null | undefined) => (iso ? now.getTime() - Date.parse(iso) : Number.POSITIVE_INFINITY);
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
        const tabletPush = tablet && push.get(tablet.id);
        if (tabletPush && (tabletPush.state !== "subscribed" || tabletPush.failingSince)) alerts.push("push_failing");
        // A screen nobody writes to deepens isolation: prompt staff to contact the family.
        const quietSince = f?.lastFamilyMessageAt ?? resident.createdAt;
        if (ago(quietSince) > settings.noFamilyMessageAlertDays * 24 * HOUR) alerts.push("no_family_message");
      }
      rows.push({
        resident: toResident(resident),
        alerts,
        tablet: {
          lastSeenAt: tablet?.lastSeenAt ?? null,
          online: ago(tablet?.lastSeenAt) < ONLINE_WITHIN_MS,
          appVersion: tablet?.appVersion ?? null,
          ...pushFields(tablet && push.get(tablet.id)),
          storageUsedBytes: tablet?.storageUsedBytes ?? null,
          battery: tablet?.battery ?? null,
        },
        unseenCount: f?.unseenCount ?? 0,
        oldestUnseenAt: f?.oldestUnseenAt ?? null,
        lastSeenMessageAt: f?.lastSeenMessageAt ?? null,
        lastFamilyMessageAt: f?.lastFamilyMessageAt ?? null,
      });
    }
    rows.sort((a, b) => needScore(b) - needScore(a) || a.resident.fullName.localeCompare(b.resident.fullName));
    return rows;
  }
}

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
