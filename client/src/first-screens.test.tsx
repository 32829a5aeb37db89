import { readFileSync } from "node:fs";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { tabletText } from "./i18n/tablet-en-GB";
import { Shell } from "./staff/App";
import { SignIn } from "./staff/SignIn";
import { ClockBar } from "./tablet/ClockBar";
import { SetupScreen } from "./tablet/SetupScreen";
import { WordsContext } from "./tablet/words";

/**
 * The tablet's set-up screen and the console's sign-in page are drawn in the pages' HTML as well as
 * by React, which replaces them (shared/src/first-screen.ts). The two must be the same markup, or
 * the takeover would move the page under the person's finger and Lighthouse would see a shift.
 */

/** The `.first-screen` element of a page's HTML, as written there. */
function drawnIn(page: string): string {
  const html = readFileSync(new URL(`../${page}/index.html`, import.meta.url), "utf8");
  const start = html.indexOf('<div class="first-screen">');
  expect(start, `${page}/index.html has a drawn first screen`).toBeGreaterThan(0);
  // The element's end: count nested divs from its start.
  const tags = /<div\b|<\/div>/g;
  tags.lastIndex = start;
  let depth = 0;
  for (let tag = tags.exec(html); tag; tag = tags.exec(html)) {
    depth += tag[0] === "</div>" ? -1 : 1;
    if (depth === 0) return html.slice(start + '<div class="first-screen">'.length, tag.index);
  }
  throw new Error(`${page}/index.html: the first screen is not closed`);
}

/**
 * Markup as a browser reads it: no comments or formatting whitespace, attribute names in lower
 * case (React writes `autoComplete`), `x=""` as `x`, no self-closing slash. The clock's time and
 * date are left out: the HTML cannot know them, and keeps their lines with a space.
 */
function normalise(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/>\s+</g, "><")
    .replace(/\s+/g, " ")
    .replace(/<([a-z0-9]+)([^>]*?)\s*\/?>/gi, (_, tag: string, attributes: string) => {
      const named = attributes.replace(
        /([\w-]+)(="[^"]*")?/g,
        (_: string, name: string, value?: string) => name.toLowerCase() + (value === '=""' ? "" : (value ?? "")),
      );
      return `<${tag}${named}>`;
    })
    .replace(/<time class="clock-time"[^>]*>[^<]*<\/time>/, '<time class="clock-time"></time>')
    .replace(/<span class="clock-date">[^<]*<\/span>/, '<span class="clock-date"></span>')
    .replaceAll("&nbsp;", " ")
    .trim();
}

beforeAll(() => {
  vi.stubGlobal("location", { hash: "", pathname: "/" });
  return () => vi.unstubAllGlobals();
});

describe("the first screens drawn in the pages' HTML", () => {
  test("the tablet's set-up screen is the one SetupScreen draws, under an empty clock bar", () => {
    const react = renderToStaticMarkup(
      <WordsContext.Provider value={tabletText}>
        <div className="tablet text-large is-setup">
          <ClockBar />
          <SetupScreen />
        </div>
      </WordsContext.Provider>,
    );
    expect(normalise(drawnIn("tablet"))).toBe(normalise(react));
  });

  test("the console's sign-in page is the one SignIn draws in the console's frame", () => {
    const react = renderToStaticMarkup(
      <Shell>
        <SignIn onDone={() => {}} />
      </Shell>,
    );
    expect(normalise(drawnIn("staff"))).toBe(normalise(react));
  });
});
