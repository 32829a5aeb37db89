import { describe, expect, it } from "vitest";
import { paginate } from "./paging";

/** A page "fits" when it has at most `chars` characters: a stand-in for the browser's layout. */
const upTo = (chars: number) => (page: string) => page.length <= chars;

describe("paginate", () => {
  it("keeps a text that fits as one page", () => {
    expect(paginate("Hello Mum! Love you", upTo(40))).toEqual(["Hello Mum! Love you"]);
  });

  it("splits between words, each page as full as it can be, losing nothing", () => {
    const text = "We moved in yesterday. The garden is big enough for your roses. Love you";
    const pages = paginate(text, upTo(24));
    expect(pages).toEqual(["We moved in yesterday.", "The garden is big enough", "for your roses. Love you"]);
    expect(pages.join(" ")).toBe(text);
    expect(pages.every((p) => p.length <= 24)).toBe(true);
  });

  it("gives a word too long for any page a page of its own", () => {
    expect(paginate("a Llanfairpwllgwyngyll b", upTo(5))).toEqual(["a", "Llanfairpwllgwyngyll", "b"]);
  });

  it("keeps line breaks inside a page", () => {
    expect(paginate("Dear Mum,\nSee you soon", upTo(40))).toEqual(["Dear Mum,\nSee you soon"]);
  });
});
