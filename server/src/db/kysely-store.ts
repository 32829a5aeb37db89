import type { Kysely } from "kysely";
import { KyselyPushStore } from "../push/push-store";
import type { Store } from "../store";
import { PullHeads } from "./pull-heads";
import type { Database } from "./schema";
import { sqliteFileOf } from "./sqlite";
import { sqlitePullHeads } from "./sqlite-heads";
import { SqliteHotPaths } from "./sqlite-hot";
import { KyselyAuditStore } from "./stores/audit-store";
import { KyselyDeviceStore } from "./stores/device-store";
import { KyselyFamilyLinkStore } from "./stores/family-link-store";
import { KyselyHealthStore } from "./stores/health-store";
import { KyselyLimitStore } from "./stores/limit-store";
import { KyselyLogStore } from "./stores/log-store";
import { KyselyPhotoRecordStore } from "./stores/photo-record-store";
import { KyselyResidentStore } from "./stores/resident-store";
import { KyselyStaffStore } from "./stores/staff-store";

/** The Store on any SQL database Kysely drives: the embedded SQLite file by default. */
export function kyselyStore(db: Kysely<Database>): Store {
  const file = sqliteFileOf(db);
  // On PostgreSQL nothing is trusted until a listening connection hears every instance's changes
  // (PostgresFanOut, given this store's heads); without one, every pull reads the database.
  const heads = file ? sqlitePullHeads(file) : new PullHeads({ trusted: false });
  const hot = file && new SqliteHotPaths(file);
  return {
    heads,
    staff: new KyselyStaffStore(db),
    residents: new KyselyResidentStore(db, heads),
    familyLinks: new KyselyFamilyLinkStore(db),
    devices: new KyselyDeviceStore(db, hot),
    log: new KyselyLogStore(db, heads, hot),
    photoRecords: new KyselyPhotoRecordStore(db),
    audit: new KyselyAuditStore(db),
    push: new KyselyPushStore(db),
    limits: new KyselyLimitStore(db),
    health: new KyselyHealthStore(db),
  };
}
