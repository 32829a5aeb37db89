import { describe, expect, it } from "vitest";
import { tabletText as cy } from "./tablet-cy";
import { tabletText as en } from "./tablet-en-GB";

describe("the sender line", () => {
  it("names the sender and, where staff gave one, how the resident knows them", () => {
    expect(en.from("Sarah", "daughter")).toBe("From Sarah, your daughter");
    expect(cy.from("Sarah", "merch")).toBe("Oddi wrth Sarah, eich merch");
  });

  it("is just the name when there is no relationship, as on messages stored before there were any", () => {
    expect(en.from("Sarah")).toBe("From Sarah");
    expect(en.from("Sarah (daughter)", undefined)).toBe("From Sarah (daughter)");
    expect(cy.from("Sarah", "")).toBe("Oddi wrth Sarah");
  });
});
