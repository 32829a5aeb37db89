import type { Kysely } from "kysely";
import type { Database } from "../schema";

export type AuditRow = {
  at: string;
  staffId: string | null;
  staffName: string;
  action: string;
  residentId: string | null;
  detail: Record<string, unknown>;
  source: string;
};

/** What staff did, for data protection: who, when, to whom; never message content. */
export interface AuditStore {
  append(entry: AuditRow): Promise<void>;
  /** The newest entries first. */
  list(limit: number): Promise<AuditRow[]>;
  prune(before: string): Promise<number>;
}

export class KyselyAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(a: AuditRow) {
    await this.db
      .insertInto("audit_log")
      .values({
        at: a.at,
        staff_id: a.staffId,
        staff_name: a.staffName,
        action: a.action,
        resident_id: a.residentId,
        detail: JSON.stringify(a.detail),
        source: a.source,
      })
      .execute();
  }

  async list(limit: number) {
    const rows = await this.db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => ({
      at: r.at,
      staffId: r.staff_id,
      staffName: r.staff_name,
      action: r.action,
      residentId: r.resident_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      source: r.source,
    }));
  }

  async prune(before: string) {
    const res = await this.db.deleteFrom("audit_log").where("at", "<", before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
