import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { PhotoQueue } from "./photo-queue";

/** Work that lasts until the test ends it. */
function work(log: string[], name: string) {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    finish,
    run: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
  };
}

/** Lets every promise that can settle, settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the photo queue", () => {
  it("decodes at most its limit at once, the rest in arrival order, and refuses past its places", async () => {
    const queue = new PhotoQueue(2, 2);
    const log: string[] = [];
    const places = [queue.enter(), queue.enter(), queue.enter(), queue.enter()];
    expect(() => queue.enter()).toThrow(AppError);
    try {
      queue.enter();
    } catch (err) {
      expect(err).toMatchObject({ code: "busy", retryAfterSeconds: 5 });
    }

    const jobs = ["a", "b", "c", "d"].map((name) => work(log, name));
    const running = jobs.map((job, i) => places[i]?.decode(job.run));
    await settle();
    expect(log).toEqual(["start a", "start b"]);
    expect(queue.state).toEqual({ places: 4, decoding: 2, waiting: 2 });

    // A finished decode hands its slot to the first in line; a newcomer queues behind the rest.
    jobs[0]?.finish();
    await running[0];
    places[0]?.leave();
    const late = queue.enter();
    const lateJob = work(log, "late");
    const lateRun = late.decode(lateJob.run);
    jobs[1]?.finish();
    await settle();
    expect(log).toEqual(["start a", "start b", "end a", "start c", "end b", "start d"]);

    for (const job of [...jobs, lateJob]) job.finish();
    await Promise.all([...running, lateRun]);
    expect(log.filter((line) => line.startsWith("start"))).toEqual(["start a", "start b", "start c", "start d", "start late"]);
    for (const place of [...places, late]) {
      place.leave();
      place.leave();
    }
    expect(queue.state).toEqual({ places: 0, decoding: 0, waiting: 0 });
  });
});
