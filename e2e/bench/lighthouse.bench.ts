/**
 * First-load benchmark: Lighthouse (mobile: simulated slow 4G, CPU 4× slower) on the three pages a
 * person opens cold, against the built relay, each page three times in a fresh Chromium; the
 * median of the three is reported.
 *
 *   lighthouse.<page>.performance    Lighthouse performance score, 0–100. Budget ≥ 98.
 *   lighthouse.<page>.accessibility  Lighthouse accessibility score, 0–100. Budget 100.
 *   lighthouse.<page>.lcp_ms         Largest Contentful Paint, ms (simulated). Budget ≤ 1500.
 *   lighthouse.<page>.unused_js_kb   JavaScript loaded but not run during the load, KB as sent
 *                                    (Lighthouse's "Reduce unused JavaScript"). No budget: it says
 *                                    where to look when the score drops.
 *
 * Pages: `family` (/family#<token> of a seeded household whose conversation has messages, a reply
 * and a "Seen"), `staff` (/staff signed out: the sign-in page) and `tablet` (/tablet not yet set
 * up: the set-up screen). The relay runs as `pnpm start` runs it (e2e/support/relay.ts: built
 * client, fresh data folder), on a free port or LETTERBOX_BENCH_PORT.
 *
 * Builds nothing: run `pnpm build` first (`pnpm bench` does). Prints each run and a table, and
 * merges the figures into bench-results.json at the repo root, replacing earlier `lighthouse.*`
 * entries. Budgets are reported, never asserted: the exit code is non-zero only when the benchmark
 * itself broke. The scores are sensitive to other work on the machine: compare figures taken at a
 * similar load (the load average is printed).
 *
 * Run: `pnpm bench` (all benchmarks), or after `pnpm build`: `pnpm --filter @letterbox/e2e exec node --import tsx bench/lighthouse.bench.ts`
 * `--runs <n>` changes the number of runs per page; `--page <name>` measures one page; BENCH_DEBUG=1
 * keeps each run's full report (JSON, in the temporary folder) to show where the time goes.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { type Figure, printTable, writeResults } from "../../server/bench/results";
import { startRelay } from "../support/relay";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const resultsFile = path.join(repo, "bench-results.json");
const BUDGET = { performance: 98, accessibility: 100, lcpMs: 1500 };
const CHROME_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const STAFF = { name: "Bench Officer", email: "bench.officer@council.example", password: "bench officer password 1" };

/** A failure of the benchmark itself, as opposed to a missed budget. */
class BenchBroken extends Error {}
/** Lighthouse could not record a run (now and then it loses the trace, NO_NAVSTART): worth another try. */
class RunFailed extends Error {}
const TRIES = 3;

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A UUIDv7 (time-ordered), as the family page and the tablet make them. */
function uuidv7(): string {
  const time = Date.now().toString(16).padStart(12, "0");
  const r = crypto.randomBytes(10).toString("hex");
  const variant = (8 | (Number.parseInt(r[3] ?? "0", 16) & 3)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 19)}`;
}

// Seeding --------------------------------------------------------------------------------------

type Call = { method?: string; body?: unknown; bearer?: string; cookie?: string };

async function call<T>(base: string, route: string, { method = "POST", body, bearer, cookie }: Call = {}) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      "Content-Type": "application/json",
      Origin: base,
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new BenchBroken(`${method} ${route} answered ${res.status}: ${await res.text()}`);
  return {
    json: (await res.json()) as T,
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  };
}

/**
 * A household whose family page has something to show: Margaret, Sarah's link, three messages
 * from Sarah, a tablet paired with them that has seen them and replied to the last. Returns the
 * family link.
 */
async function seed(base: string, setupLink: string): Promise<string> {
  const token = new URL(setupLink).hash.replace("#setup=", "");
  const { cookie } = await call(base, "/api/staff/setup", { body: { token, ...STAFF } });
  const staff = { cookie };
  const { json: created } = await call<{ resident: { id: string } }>(base, "/api/staff/residents", {
    ...staff,
    body: { fullName: "Margaret Jones", preferredName: "Margaret" },
  });
  const id = created.resident.id;
  const { json: linked } = await call<{ link: { url: string } }>(base, `/api/staff/residents/${id}/family-links`, {
    ...staff,
    body: { label: "Sarah (daughter)" },
  });
  const familyToken = linked.link.url.split("#")[1] ?? "";
  const { json: code } = await call<{ setupCode: { code: string } }>(base, `/api/staff/residents/${id}/setup-codes`, staff);
  const { json: paired } = await call<{ deviceToken: string }>(base, "/api/tablet/pair", {
    body: { code: code.setupCode.code },
  });

  const texts = [
    "Morning Mum! The daffodils by the back door are finally out.",
    "Tom has his school play on Friday. He is a very nervous sheep.",
    "We will come over on Sunday after lunch, and bring the photos from the seaside.",
  ];
  const ids: string[] = [];
  for (const text of texts) {
    const messageId = uuidv7();
    await call(base, "/api/family/messages", { bearer: familyToken, body: { id: messageId, text } });
    ids.push(messageId);
  }
  await call(base, "/api/tablet/receipts", {
    bearer: paired.deviceToken,
    body: { receipts: ids.map((messageId) => ({ messageId, state: "seen" })) },
  });
  await call(base, "/api/tablet/replies", {
    bearer: paired.deviceToken,
    body: { id: uuidv7(), inReplyTo: ids[ids.length - 1], text: "Lovely, see you Sunday" },
  });
  return linked.link.url.replace(/^https?:\/\/[^/]+/, base);
}

// Lighthouse -----------------------------------------------------------------------------------

type Run = { performance: number; accessibility: number; lcpMs: number; unusedJsKb: number; notes: string };

async function audit(url: string): Promise<Run> {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    chromeFlags: CHROME_FLAGS,
    logLevel: "silent",
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      formFactor: "mobile",
      onlyCategories: ["performance", "accessibility"],
    });
    const lhr = result?.lhr;
    if (!lhr) throw new BenchBroken(`Lighthouse returned nothing for ${url}`);
    if (lhr.runtimeError) throw new RunFailed(`Lighthouse could not load ${url}: ${lhr.runtimeError.message}`);
    if (process.env.BENCH_DEBUG) {
      const file = path.join(os.tmpdir(), `lighthouse-${new URL(url).pathname.replace(/\W/g, "")}-${Date.now()}.json`);
      fs.writeFileSync(file, JSON.stringify(lhr));
      console.error(`  report: ${file}`);
    }
    const score = (id: string) => Math.round((lhr.categories[id]?.score ?? Number.NaN) * 100);
    const numeric = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
    const failedA11y = Object.values(lhr.audits)
      .filter((a) => a.scoreDisplayMode === "binary" && a.score === 0)
      .filter((a) => lhr.categories.accessibility?.auditRefs.some((ref) => ref.id === a.id))
      .map((a) => a.id);
    const ms = (id: string) => Math.round(numeric(id));
    const unusedBytes = (lhr.audits["unused-javascript"]?.details as { overallSavingsBytes?: number })?.overallSavingsBytes ?? 0;
    return {
      performance: score("performance"),
      accessibility: score("accessibility"),
      lcpMs: ms("largest-contentful-paint"),
      unusedJsKb: Math.round(unusedBytes / 102.4) / 10,
      notes: `fcp ${ms("first-contentful-paint")} ms, tbt ${ms("total-blocking-time")} ms, cls ${numeric("cumulative-layout-shift").toFixed(3)}${failedA11y.length ? `, a11y failed: ${failedA11y.join(" ")}` : ""}`,
    };
  } finally {
    chrome.kill();
  }
}

async function auditWithRetries(url: string): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await audit(url);
    } catch (err) {
      if (!(err instanceof RunFailed) || attempt >= TRIES) throw err;
      console.error(`  ${err.message}; trying again`);
    }
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

// Main -----------------------------------------------------------------------------------------

async function main() {
  const dist = path.join(repo, "client/dist");
  if (!fs.existsSync(path.join(dist, "tablet/index.html"))) {
    throw new BenchBroken(`${dist}/tablet/index.html is missing: run \`pnpm build\` first`);
  }
  const runs = Number(argument("--runs") ?? 3);
  const only = argument("--page");
  const port = Number(process.env.LETTERBOX_BENCH_PORT ?? (await freePort()));
  const relay = await startRelay(port);
  try {
    const familyLink = await seed(relay.url, relay.setupLink);
    const pages = [
      { name: "family", url: familyLink },
      { name: "staff", url: `${relay.url}/staff` },
      { name: "tablet", url: `${relay.url}/tablet` },
    ].filter((p) => !only || p.name === only);
    if (pages.length === 0) throw new BenchBroken(`no page is called ${only}`);

    console.error(`load average ${loadAverage()} on ${os.cpus().length} cores`);
    const figures: Figure[] = [];
    for (const page of pages) {
      const taken: Run[] = [];
      for (let i = 0; i < runs; i++) {
        const run = await auditWithRetries(page.url);
        taken.push(run);
        console.error(
          `  ${page.name} run ${i + 1}: performance ${run.performance}, accessibility ${run.accessibility}, lcp ${run.lcpMs} ms, unused js ${run.unusedJsKb} KB (${run.notes})`,
        );
      }
      const of = (key: keyof Omit<Run, "notes">) => median(taken.map((r) => r[key]));
      figures.push(
        { name: `lighthouse.${page.name}.performance`, value: of("performance"), unit: "score", budget: BUDGET.performance },
        {
          name: `lighthouse.${page.name}.accessibility`,
          value: of("accessibility"),
          unit: "score",
          budget: BUDGET.accessibility,
        },
        { name: `lighthouse.${page.name}.lcp_ms`, value: of("lcpMs"), unit: "ms", budget: BUDGET.lcpMs },
        { name: `lighthouse.${page.name}.unused_js_kb`, value: of("unusedJsKb"), unit: "KB", budget: null },
      );
    }
    console.error(`load average ${loadAverage()} at the end`);

    console.log("");
    console.log(`Lighthouse ${runs > 1 ? `(median of ${runs})` : ""}`);
    // Scores must reach their budget; times and sizes must stay under theirs.
    printTable(figures, (f) => (f.unit === "score" ? "≥" : "≤"));
    writeResults("lighthouse.", figures);
    console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  } finally {
    await relay.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`lighthouse bench broke: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
