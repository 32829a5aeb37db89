import type SQLite from "better-sqlite3";
import { PullHeads } from "./pull-heads";

/**
 * The pull-head cache on SQLite, told of every change by the database itself rather than by each
 * write path: TEMP triggers on the relay's own connection call back into the process whenever a
 * resident's row is written (a log entry moves `last_seq`; settings, archive, erasure) or the
 * log's identity changes. They fire inside the writing statement, before its commit, so a write
 * that later rolls back has only made the cache forget. Kysely runs one statement at a time on
 * this one connection, and the hot paths read it only outside a transaction (sqlite-hot.ts), so
 * no read sees a write that is not committed.
 *
 * Another connection to the same file (a second process, a command-line tool) fires no trigger
 * here; SQLite's `PRAGMA data_version` changes when one has committed, and a change makes the
 * cache forget everything. It is read before every answer from the cache and every read for it.
 *
 * The triggers are TEMP: they live and die with this connection and are never in the file, where
 * another connection, without the function, could not write the table.
 */
export function sqlitePullHeads(file: SQLite.Database): PullHeads {
  const dataVersion = file.prepare("PRAGMA data_version").pluck();
  let seen: unknown;
  let installed = false;
  const install = () => {
    // Inside someone's transaction the triggers would go with its rollback: wait for a moment outside one.
    if (file.inTransaction) return false;
    const hasTables = file
      .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('residents', 'log_identity')")
      .pluck()
      .get();
    if (hasTables !== 2) return false;
    file.function("letterbox_head_changed", { deterministic: false }, (residentId: unknown) => {
      if (residentId === null) heads.changedAll();
      else heads.changed(String(residentId));
      return null;
    });
    file.exec(`
      CREATE TEMP TRIGGER IF NOT EXISTS letterbox_head_insert AFTER INSERT ON main.residents
        BEGIN SELECT letterbox_head_changed(NEW.id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS letterbox_head_update AFTER UPDATE ON main.residents
        BEGIN SELECT letterbox_head_changed(OLD.id); SELECT letterbox_head_changed(NEW.id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS letterbox_head_delete AFTER DELETE ON main.residents
        BEGIN SELECT letterbox_head_changed(OLD.id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS letterbox_head_log_identity AFTER UPDATE ON main.log_identity
        BEGIN SELECT letterbox_head_changed(NULL); END;
      CREATE TEMP TRIGGER IF NOT EXISTS letterbox_head_log_identity_delete AFTER DELETE ON main.log_identity
        BEGIN SELECT letterbox_head_changed(NULL); END;
    `);
    seen = dataVersion.get();
    installed = true;
    return true;
  };
  const heads: PullHeads = new PullHeads({
    trusted: true,
    ready: () => {
      if (!installed && !install()) return false;
      const now = dataVersion.get();
      if (now !== seen) {
        seen = now;
        heads.changedAll();
      }
      return true;
    },
  });
  return heads;
}
