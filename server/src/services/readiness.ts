/**
 * Readiness (/readyz): whether this relay can do its work now, as a load balancer or supervisor asks
 * before sending it traffic. Liveness (/healthz) only says the process answers.
 *
 * Each check has a time limit, so that a database or bucket that does not answer makes the relay
 * "not ready" within seconds instead of holding the probe until the prober gives up. The answer
 * gives codes and fixed sentences only: the errors themselves, which can name hosts and paths, go
 * to the log.
 */
import type { Readiness, ReadinessCheck, ReadinessFailureCode } from "@letterbox/shared";
import type { PhotoStore } from "../images/photo-store";
import type { Logger } from "../log";
import type { Store } from "../store";

/** Each check's time limit; a prober usually waits a few seconds in all. */
export const READINESS_CHECK_TIMEOUT_MS = 3_000;

type Deps = { store: Store; photos: PhotoStore; log: Logger; version: string; checkTimeoutMs?: number };

type Outcome = { ok: true } | { ok: false; code: ReadinessFailureCode; message: string };
type Failure = Extract<Readiness, { status: "not_ready" }>["failures"][number];

class TimedOut extends Error {}

export class ReadinessService {
  private running: Promise<Readiness> | undefined;

  constructor(private readonly deps: Deps) {}

  /**
   * Never throws. Probes that arrive while a check runs share its answer, so that a burst of
   * probes writes one probe object, not one each.
   */
  check(): Promise<Readiness> {
    this.running ??= this.checkNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkNow(): Promise<Readiness> {
    const { store, photos } = this.deps;
    const seconds = this.timeoutMs / 1000;
    const database = this.run("database", () => store.health.ping(), {
      code: "database_unreachable",
      failed: "The database cannot be reached.",
      timedOut: `The database did not answer within ${seconds} seconds.`,
    });
    const photoStore = this.run("photos", () => photos.probeWrite(), {
      code: "photo_store_not_writable",
      failed:
        "The photo store does not accept new photos: check that the photo folder or bucket exists and the relay may write to it.",
      timedOut: `The photo store did not take a small test file within ${seconds} seconds.`,
    });
    const databaseOutcome = await database;
    const migrations: Outcome | undefined = databaseOutcome.ok
      ? await this.run(
          "migrations",
          async () => {
            const pending = await store.health.pendingMigrations();
            if (pending.length > 0) throw new PendingMigrations(pending);
          },
          {
            code: "migrations_pending",
            failed: "The relay could not read which database migrations have run.",
            timedOut: `The database did not say which migrations have run within ${seconds} seconds.`,
          },
        )
      : undefined;
    const outcomes: [ReadinessCheck, Outcome | undefined][] = [
      ["database", databaseOutcome],
      ["migrations", migrations],
      ["photos", await photoStore],
    ];
    const failures: Failure[] = outcomes.flatMap(([check, outcome]) =>
      outcome && !outcome.ok ? [{ check, code: outcome.code, message: outcome.message }] : [],
    );
    const version = this.deps.version;
    if (failures.length === 0) return { status: "ready", version, checks: { database: "ok", migrations: "ok", photos: "ok" } };
    const state = (outcome: Outcome | undefined) => (outcome === undefined ? "skipped" : outcome.ok ? "ok" : "failed");
    return {
      status: "not_ready",
      version,
      checks: { database: state(databaseOutcome), migrations: state(migrations), photos: state(await photoStore) },
      failures,
    };
  }

  private get timeoutMs(): number {
    return this.deps.checkTimeoutMs ?? READINESS_CHECK_TIMEOUT_MS;
  }

  private async run(
    check: ReadinessCheck,
    probe: () => Promise<void>,
    words: { code: ReadinessFailureCode; failed: string; timedOut: string },
  ): Promise<Outcome> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimedOut()), this.timeoutMs);
    });
    try {
      await Promise.race([probe(), limit]);
      return { ok: true };
    } catch (err) {
      this.deps.log("readiness.check_failed", { check, error: err instanceof TimedOut ? "timed out" : String(err) });
      const message = err instanceof PendingMigrations ? err.message : err instanceof TimedOut ? words.timedOut : words.failed;
      return { ok: false, code: words.code, message };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Migration names are the relay's own ("0012_…"), safe to show. */
class PendingMigrations extends Error {
  constructor(names: string[]) {
    const count = names.length === 1 ? "1 migration" : `${names.length} migrations`;
    super(
      `The database has not run ${count} this relay needs (${names.join(", ")}). Migrations run when the relay starts: restart it.`,
    );
  }
}
