// Checks the deployment files without Docker or systemd running (neither can run in CI here).
//
// 1. Runs deploy/Dockerfile's own instructions, read from the file, in a temporary folder: each
//    stage's absolute paths become folders under it, `COPY . .` copies the repository's files less
//    those that Dockerfile.dockerignore leaves out, `COPY --from=` copies between stages, `ENV` sets
//    the environment, and each `RUN` runs in bash, except the steps that set up the operating
//    system (apt-get, corepack, the system user), which are named as skipped. Then it starts the
//    final stage's `CMD` as the image would (ports and DATA_DIR made local), runs the HEALTHCHECK
//    command itself, asks /readyz and /tablet, runs the command line from the image (a backup),
//    stops the relay with SIGTERM and expects a clean exit. It also checks that no build tool
//    (tsx, esbuild, TypeScript, vitest, vite) is among the final stage's packages and that the image
//    runs as a user other than root with DATA_DIR on a VOLUME.
// 2. `systemd-analyze verify deploy/letterbox.service` where systemd-analyze exists.
// 3. `nginx -t` on deploy/nginx.conf where nginx exists.
// What it cannot check (the base image, apt-get, corepack, file ownership in the image, compose
// bringing up PostgreSQL and MinIO) is printed as skipped. Run: `pnpm test:deploy`.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import dockerignore from "@balena/dockerignore";
import { DockerfileParser } from "dockerfile-ast";

const deployDir = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(deployDir, "..");
const dockerfile = DockerfileParser.parse(fs.readFileSync(path.join(deployDir, "Dockerfile"), "utf8"));
const keep = process.env.LETTERBOX_DEPLOY_CHECK_KEEP === "1";

/** RUN steps that set up the operating system: the machine running the check has its own. */
const SKIPPED_RUNS = [
  [/apt-get/, "installs Debian's build tools (this machine has its own)"],
  [/corepack/, "activates pnpm through corepack (the check uses the pnpm running it)"],
  [/useradd|groupadd/, "makes the system user and /data (the check runs as its own user, on a temp DATA_DIR)"],
];

const failures = [];
const say = (line) => process.stdout.write(`${line}\n`);
const ok = (what) => say(`  ok    ${what}`);
const skip = (what, why) => say(`  skip  ${what}: ${why}`);
const fail = (what) => {
  failures.push(what);
  say(`  FAIL  ${what}`);
};

/** The pnpm running this check, as `pnpm` on PATH for the RUN steps (npx puts it nowhere else). */
function pnpmOnPath(tmp) {
  const execPath = process.env.npm_execpath;
  if (!execPath || !/pnpm/.test(path.basename(execPath))) return process.env.PATH;
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "pnpm"), `#!/bin/sh\nexec "${process.execPath}" "${execPath}" "$@"\n`, { mode: 0o755 });
  return `${bin}${path.delimiter}${process.env.PATH}`;
}

function contextFiles() {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repo,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f && fs.existsSync(path.join(repo, f)));
  const ignore = dockerignore().add(fs.readFileSync(path.join(deployDir, "Dockerfile.dockerignore"), "utf8"));
  return ignore.filter(listed);
}

const args = (instruction) => instruction.getArguments().map((a) => a.getValue());
const jsonOrShell = (instruction) => {
  const json = instruction.getJSONStrings?.() ?? [];
  return json.length > 0 ? json.map((s) => s.getJSONValue()) : ["/bin/sh", "-c", instruction.getArgumentsContent()];
};

/** HEALTHCHECK [flags] CMD …: the command after CMD, in JSON (exec) or shell form. */
function healthcheckCommand(instruction) {
  const content = instruction.getArgumentsContent().replace(/\\\r?\n/g, " ");
  const command = content.slice(content.search(/\bCMD\b/) + 3).trim();
  return command.startsWith("[") ? JSON.parse(command) : ["/bin/sh", "-c", command];
}

async function runImage(tmp) {
  const stages = [];
  const env = { ...process.env, PATH: pnpmOnPath(tmp) };
  delete env.npm_config_frozen_lockfile;
  let stage;
  const inStage = (p) => path.join(stage.root, p);
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const text = `${keyword} ${instruction.getArgumentsContent() ?? ""}`.replace(/\s*\\\n\s*/g, " ").slice(0, 110);
    if (keyword === "ARG") continue;
    if (keyword === "FROM") {
      const name = instruction.getBuildStage() ?? `stage${stages.length}`;
      stage = { name, root: path.join(tmp, "stages", name), workdir: "/", env: {}, instructions: [] };
      stages.push(stage);
      const image = instruction
        .getImage()
        .replace(/\$\{(\w+)\}/g, (_, v) => dockerfile.resolveVariable(v, instruction.getRange().start.line) ?? "");
      say(`\nStage ${name} (${image}; the check runs on this machine's Node.js ${process.version})`);
      continue;
    }
    stage.instructions.push(instruction);
    if (keyword === "WORKDIR") {
      stage.workdir = path.posix.resolve(stage.workdir, args(instruction)[0]);
      fs.mkdirSync(inStage(stage.workdir), { recursive: true });
    } else if (keyword === "ENV") {
      for (const property of instruction.getProperties()) stage.env[property.getName()] = property.getValue();
    } else if (keyword === "COPY") {
      const from = instruction.getFromFlag()?.getValue();
      const [source, dest] = args(instruction).filter((a) => !a.startsWith("--"));
      const target = inStage(path.posix.resolve(stage.workdir, dest));
      if (from) {
        const other = stages.find((s) => s.name === from);
        if (!other) throw new Error(`${text}: no stage called ${from}.`);
        fs.cpSync(path.join(other.root, source), target, { recursive: true });
        ok(`COPY --from=${from} ${source} ${dest}`);
        continue;
      } else if (source === ".") {
        const files = contextFiles();
        for (const file of files) fs.cpSync(path.join(repo, file), path.join(target, file), { recursive: true });
        ok(`${text} (${files.length} files)`);
        continue;
      } else {
        throw new Error(
          `${text}: the check copies only \`COPY . .\` and \`COPY --from=…\`; teach deploy/check.mjs the new form.`,
        );
      }
    } else if (keyword === "RUN") {
      const script = instruction.getArgumentsContent();
      const skipped = SKIPPED_RUNS.find(([pattern]) => pattern.test(script));
      if (skipped) {
        skip(text, skipped[1]);
        continue;
      }
      const started = performance.now();
      const result = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
        cwd: inStage(stage.workdir),
        env: { ...env, ...stage.env },
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.status !== 0) {
        say(result.stdout.slice(-4000));
        say(result.stderr.slice(-4000));
        throw new Error(`${text} exited with ${result.status ?? result.signal}.`);
      }
      ok(`${text} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      continue;
    } else if (keyword === "USER") {
      stage.user = args(instruction)[0];
    } else if (keyword === "VOLUME") {
      const json = (instruction.getJSONStrings?.() ?? []).map((s) => s.getJSONValue());
      stage.volumes = json.length > 0 ? json : args(instruction);
    } else if (keyword === "HEALTHCHECK") {
      stage.healthcheck = instruction;
    } else if (keyword === "CMD") {
      stage.cmd = jsonOrShell(instruction);
    }
    ok(text);
  }
  return stages.at(-1);
}

function checkFinalStage(final) {
  say(`\nFinal stage ${final.name}`);
  if (final.user && final.user !== "root" && final.user !== "0") ok(`runs as ${final.user}, not root`);
  else fail("the final stage has no USER other than root");
  if (final.volumes?.includes(final.env.DATA_DIR)) ok(`DATA_DIR (${final.env.DATA_DIR}) is a VOLUME`);
  else fail(`DATA_DIR (${final.env.DATA_DIR}) is not among the VOLUMEs (${final.volumes})`);
  const store = path.join(final.root, final.workdir, "server/node_modules/.pnpm");
  const packages = fs.existsSync(store) ? fs.readdirSync(store) : [];
  const tools = packages.filter((p) => /^(tsx|esbuild|typescript|vitest|vite|@esbuild\+|s3rver|autocannon)@/.test(p));
  if (packages.length === 0) fail(`no installed packages at ${path.relative(final.root, store)}`);
  else if (tools.length > 0) fail(`build or test tools in the final stage: ${tools.join(", ")}`);
  else
    ok(
      `production packages only (${packages.length} in server/node_modules/.pnpm, none of tsx, esbuild, TypeScript, vitest, vite)`,
    );
}

/** Starts the final stage's CMD as the image would, and checks it the way Docker and a load balancer do. */
async function runRelay(tmp, final) {
  const [command, ...rest] = final.cmd;
  if (command !== "node") throw new Error(`CMD starts ${command}; the check knows how to start node only.`);
  const cwd = path.join(final.root, final.workdir);
  const dataDir = path.join(tmp, "data");
  const env = { ...process.env, ...final.env, DATA_DIR: dataDir, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info" };
  const relay = spawn(process.execPath, rest, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => relay.once("exit", (code, signal) => resolve(code ?? signal)));
  let stderr = "";
  relay.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let buffered = "";
      const timer = setTimeout(() => reject(new Error(`The built relay did not start in 60 s:\n${stderr}`)), 60_000);
      relay.stdout.on("data", (chunk) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          const event = JSON.parse(line);
          if (event.event === "relay.started") {
            clearTimeout(timer);
            resolve(event.port);
          }
        }
      });
      relay.once("exit", (code) => reject(new Error(`The built relay exited (${code}) before it listened:\n${stderr}`)));
    });
    ok(`CMD ${final.cmd.join(" ")}: listening on port ${port}`);
    const probe = { ...env, PORT: String(port) };
    if (final.healthcheck) {
      const [hc, ...hcArgs] = healthcheckCommand(final.healthcheck);
      const result = spawnSync(hc === "node" ? process.execPath : hc, hcArgs, { env: probe, encoding: "utf8" });
      if (result.status === 0) ok("HEALTHCHECK command exits 0 (/healthz)");
      else fail(`HEALTHCHECK command exited ${result.status}: ${result.stderr}`);
    } else {
      fail("the final stage has no HEALTHCHECK");
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const readyBody = await ready.json();
    if (ready.status === 200 && readyBody.status === "ready") ok(`/readyz 200 ${JSON.stringify(readyBody.checks)}`);
    else fail(`/readyz answered ${ready.status} ${JSON.stringify(readyBody)}`);
    const tablet = await fetch(`http://127.0.0.1:${port}/tablet`);
    const html = await tablet.text();
    if (tablet.status === 200 && html.includes("<script")) ok("/tablet serves the built tablet app");
    else fail(`/tablet answered ${tablet.status}`);
    const backupFolder = path.join(tmp, "backup");
    const cli = spawnSync(process.execPath, ["server/dist/cli.js", "backup", backupFolder], { cwd, env, encoding: "utf8" });
    if (cli.status === 0 && fs.existsSync(path.join(backupFolder, "manifest.json")))
      ok("the command line from the image takes a backup (node server/dist/cli.js backup)");
    else fail(`node server/dist/cli.js backup exited ${cli.status}: ${cli.stderr}`);
  } finally {
    relay.kill("SIGTERM");
    const code = await exited;
    if (code === 0) ok("SIGTERM: the relay stopped cleanly (exit 0)");
    else fail(`SIGTERM: the relay exited with ${code}`);
  }
}

function verifyUnit() {
  say("\nsystemd unit");
  const unit = path.join(deployDir, "letterbox.service");
  const which = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" });
  if (which.status !== 0) return skip("systemd-analyze verify", "systemd-analyze is not installed on this machine");
  const result = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
  // verify also reports on units it pulls in from the machine; only lines about ours count.
  const ours = `${result.stdout}${result.stderr}`.split("\n").filter((l) => l.includes("letterbox.service"));
  if (result.status === 0 && ours.length === 0) ok("systemd-analyze verify deploy/letterbox.service");
  else fail(`systemd-analyze verify (${result.status}):\n${result.stdout}${result.stderr}`);
  const security = spawnSync("systemd-analyze", ["security", "--offline=true", unit], { encoding: "utf8" });
  const exposure = `${security.stdout}`.match(/Overall exposure level for .*: ([\d.]+) (\w+)/);
  if (exposure) ok(`systemd-analyze security --offline: exposure ${exposure[1]} ${exposure[2]}`);
}

/** `nginx -t` on the example, with a throwaway self-signed certificate in place of the site's own. */
function verifyProxy(tmp) {
  say("\nReverse proxy");
  const which = spawnSync("sh", ["-c", "command -v nginx && command -v openssl"], { encoding: "utf8" });
  if (which.status !== 0) return skip("nginx -t deploy/nginx.conf", "nginx (or openssl) is not installed on this machine");
  const cert = path.join(tmp, "cert.pem");
  const key = path.join(tmp, "key.pem");
  const made = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=letterbox.council.example",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { encoding: "utf8" },
  );
  if (made.status !== 0) return fail(`openssl could not make a test certificate: ${made.stderr}`);
  const conf = fs
    .readFileSync(path.join(deployDir, "nginx.conf"), "utf8")
    .replace(/ssl_certificate \S+;/, `ssl_certificate ${cert};`)
    .replace(/ssl_certificate_key \S+;/, `ssl_certificate_key ${key};`)
    .replace(
      /^worker_processes/m,
      `pid ${path.join(tmp, "nginx.pid")};\nerror_log ${path.join(tmp, "nginx-error.log")};\nworker_processes`,
    );
  const confFile = path.join(tmp, "nginx.conf");
  fs.writeFileSync(confFile, conf);
  const result = spawnSync("nginx", ["-t", "-q", "-c", confFile], { encoding: "utf8" });
  if (result.status === 0) ok("nginx -t deploy/nginx.conf (with a test certificate)");
  else fail(`nginx -t: ${result.stderr}`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-deploy-check-"));
try {
  say(`Running deploy/Dockerfile's steps in ${tmp}`);
  const final = await runImage(tmp);
  checkFinalStage(final);
  await runRelay(tmp, final);
  verifyUnit();
  verifyProxy(tmp);
  say(
    "\nNot checked here: pulling the base image, apt-get and corepack in it, file ownership in the image, and compose.yaml bringing up PostgreSQL and MinIO.",
  );
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
} finally {
  if (keep) say(`Kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length > 0) {
  say(`\n${failures.length} deployment check(s) failed.`);
  process.exit(1);
}
say("\nDeployment checks passed.");
