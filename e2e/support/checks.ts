import AxeBuilder from "@axe-core/playwright";
import { type BrowserContext, expect, type Page } from "@playwright/test";

/** Checks that hold on the screens of every audience: accessibility, reach, reflow, a clean console. */

// axe's default rule set plus WCAG 2 AAA, which brings in the enhanced (7:1) contrast rule.
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "wcag2aaa"];

/** axe must find nothing on any screen of any audience, AAA rules (7:1 text contrast) included. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** The tablet's own bar: axe with the 7:1 contrast rule, text of at least 28 px, targets of at least 72×72, no scrolling. */
export async function expectResidentFriendly(page: Page) {
  const axe = await new AxeBuilder({ page }).options({ rules: { "color-contrast-enhanced": { enabled: true } } }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    };
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      if (!visible(el) || el.closest("[aria-hidden=true]")) continue;
      const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      const size = Number.parseFloat(getComputedStyle(el).fontSize);
      if (ownText && size < 28) found.push(`text ${size}px: "${el.textContent?.trim().slice(0, 40)}"`);
      if (el.matches("button, a[href], input, [role=button]")) {
        const r = el.getBoundingClientRect();
        if (r.width < 72 || r.height < 72)
          found.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${el.textContent?.trim().slice(0, 40)}`);
      }
    }
    if (document.documentElement.scrollHeight > window.innerHeight + 1 && !document.querySelector(".is-setup")) {
      found.push(`the page scrolls: ${document.documentElement.scrollHeight} > ${window.innerHeight}`);
    }
    return found;
  });
  expect(problems).toEqual([]);
}

/** Every button, link, field and text box a person can touch is at least 44 × 44 CSS px. */
export async function expectLargeTargets(page: Page) {
  const small = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>("button, a[href], input:not([type=hidden]):not([hidden]), textarea, select"),
    )
      // Not a target when hidden from everyone (the file input is opened by its button).
      .filter((el) => el.offsetParent !== null && !el.closest('[aria-hidden="true"]'))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.width < 44 || box.height < 44))
      .map(
        ({ el, box }) => `${el.tagName} "${el.textContent?.trim() || el.getAttribute("aria-label")}" ${box.width}×${box.height}`,
      ),
  );
  expect(small).toEqual([]);
}

type FocusCheck = { done: true } | { done: false; name: string; problems: string[] };

/**
 * Presses Tab from the page's heading through every element that takes focus, and returns what
 * was wrong where focus landed: off the screen, or covered (in part or whole) by an element that
 * stays put while the page scrolls (sticky or fixed), or something else at the element's centre.
 * Also checks that Tab reached every focusable element, so that an early stop cannot pass.
 */
export async function tabThroughPage(page: Page): Promise<{ visited: string[]; problems: string[] }> {
  await page.evaluate(() => {
    (window as unknown as { tabbed: Set<Element> }).tabbed = new Set();
  });
  await page.getByRole("heading", { level: 1 }).focus();
  const visited: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < 500; i++) {
    await page.keyboard.press("Tab");
    const check = await page.evaluate((): FocusCheck => {
      const el = document.activeElement as HTMLElement | null;
      const tabbed = (window as unknown as { tabbed: Set<Element> }).tabbed;
      if (!el || el === document.body || tabbed.has(el)) return { done: true };
      tabbed.add(el);
      const label = (e: Element | null) =>
        e
          ? `${e.tagName.toLowerCase()} "${(e.getAttribute("aria-label") || e.textContent || (e as HTMLInputElement).placeholder || "").trim().slice(0, 40)}"`
          : "nothing";
      const name = label(el);
      const found: string[] = [];
      const box = el.getBoundingClientRect();
      const width = document.documentElement.clientWidth;
      const height = document.documentElement.clientHeight;
      const seen = {
        left: Math.max(box.left, 0),
        right: Math.min(box.right, width),
        top: Math.max(box.top, 0),
        bottom: Math.min(box.bottom, height),
      };
      if (seen.right <= seen.left || seen.bottom <= seen.top) found.push(`${name} is off the screen`);
      for (const other of Array.from(document.querySelectorAll("body *"))) {
        const position = getComputedStyle(other).position;
        if ((position !== "sticky" && position !== "fixed") || other.contains(el)) continue;
        const o = other.getBoundingClientRect();
        const overlaps = o.left < box.right && o.right > box.left && o.top < box.bottom && o.bottom > box.top;
        if (overlaps && o.width > 0 && o.height > 0) found.push(`${name} is under ${label(other)} (${position})`);
      }
      const hit = document.elementFromPoint((seen.left + seen.right) / 2, (seen.top + seen.bottom) / 2);
      if (!hit || !el.contains(hit)) found.push(`${name}: at its centre is ${label(hit)}`);
      return { done: false, name, problems: found };
    });
    if (check.done) break;
    visited.push(check.name);
    problems.push(...check.problems);
  }
  const expected = await page.evaluate(() => {
    const candidates = document.querySelectorAll<HTMLElement>(
      "a[href], button, input, textarea, select, summary, [tabindex], [contenteditable]",
    );
    return Array.from(candidates).filter(
      (el) =>
        el.tabIndex >= 0 &&
        !(el as HTMLButtonElement).disabled &&
        el.getClientRects().length > 0 &&
        !el.closest("[inert]") &&
        // The contents of a closed <details> are not reached, only its summary.
        !el.closest("details:not([open]) > :not(summary)"),
    ).length;
  });
  expect(visited, "Tab reaches every focusable element once").toHaveLength(expected);
  return { visited, problems };
}

/** Nothing wider than the screen: the page never scrolls sideways (WCAG 1.4.10 Reflow). */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, width } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "the page's width").toBeLessThanOrEqual(width);
}

/** The share of the screen's height taken by elements that stay put while the page scrolls (sticky or fixed). */
export function stuckShare(page: Page): Promise<number> {
  return page.evaluate(() => {
    let covered = 0;
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const position = getComputedStyle(el).position;
      if (position !== "sticky" && position !== "fixed") continue;
      const box = el.getBoundingClientRect();
      covered += Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
    }
    return covered / innerHeight;
  });
}

/**
 * What a page writes to the browser console as an error, throws uncaught, or has refused by its
 * Content-Security-Policy (the `securitypolicyviolation` event, which a caught refusal also fires),
 * from the moment each page of the context starts. Read `problems` after the page has settled.
 */
export async function watchForPageProblems(context: BrowserContext): Promise<string[]> {
  const problems: string[] = [];
  await context.exposeBinding("reportPolicyViolation", ({ page }, text: string) => {
    problems.push(`CSP violation on ${page.url()}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { reportPolicyViolation: (text: string) => void }).reportPolicyViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return problems;
}
