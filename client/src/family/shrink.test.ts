import { describe, expect, it } from "vitest";
import { fitWithin } from "./shrink";

describe("fitWithin", () => {
  it.each([
    [4000, 3000, 1600, 1200],
    [3000, 4000, 1200, 1600],
    [4032, 3024, 1600, 1200],
    [1600, 900, 1600, 900],
    [800, 600, 800, 600],
    [10000, 10, 1600, 2],
    [10, 20000, 1, 1600],
  ])("%i × %i is drawn at %i × %i (long edge at most 1600, never enlarged)", (w, h, width, height) => {
    expect(fitWithin(w, h)).toEqual({ width, height });
  });
});
