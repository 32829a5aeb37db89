import { describe, expect, it, onTestFinished } from "vitest";
import { silentLogger } from "../log";
import { freshPostgres } from "../test-databases";
import { openPostgres } from "./postgres";
import { runAlone } from "./run-alone";

describe("a periodic job", () => {
  it("runs on one PostgreSQL instance at a time: another that tries meanwhile is told it is busy", async () => {
    const database = await freshPostgres();
    onTestFinished(() => database.drop());
    const pools = [0, 1].map(() => openPostgres(database.url, { poolSize: 2, log: silentLogger }));
    onTestFinished(async () => {
      await Promise.all(pools.map((db) => db.destroy()));
    });
    const [a, b] = pools as [(typeof pools)[0], (typeof pools)[0]];

    let finish: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = runAlone(a, "postgres", "retention", () => {
      started();
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    await running;
    let ranTwice = false;
    expect(
      await runAlone(b, "postgres", "retention", async () => {
        ranTwice = true;
      }),
    ).toBe("busy");
    // Another job's name is not held up.
    expect(await runAlone(b, "postgres", "audit pruning", async () => {})).toBe("ran");
    finish();
    expect(await first).toBe("ran");
    expect(ranTwice).toBe(false);
    expect(await runAlone(b, "postgres", "retention", async () => {})).toBe("ran");
  });

  it("gives the lock back when the job fails", async () => {
    const database = await freshPostgres();
    onTestFinished(() => database.drop());
    const db = openPostgres(database.url, { poolSize: 1, log: silentLogger });
    onTestFinished(() => db.destroy());
    await expect(
      runAlone(db, "postgres", "retention", async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await runAlone(db, "postgres", "retention", async () => {})).toBe("ran");
  });
});
