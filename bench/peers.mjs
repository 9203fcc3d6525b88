#!/usr/bin/env node
// Against what users would pick instead, side by side on this machine:
//  1. cold: the bundled action vs GoReleaser (`goreleaser build --snapshot`, pinned, built from the
//     Go module proxy) on the same module, targets and flags, each from an empty GOCACHE,
//     alternating;
//  2. a commit sequence (cold, source edit, dependency bump, target added, Go upgrade, no-op
//     re-run), every step on a fresh runner (empty GOCACHE and GOMODCACHE), through the local
//     results-service with the real @actions/cache client: the action (its cache and
//     cache-cleanup, against the GitHub API stand-in) vs setup-go's cache exactly as setup-go
//     uses it (one entry of GOCACHE+GOMODCACHE keyed by OS, arch, Go version and the go.sum
//     hash, no restore keys, saved only when that key missed) in front of GoReleaser.
// Figures go to bench/results/peers.json and one SVG per workload. Needs Node 24 (type stripping).
// Usage: bench/peers.mjs [cold workloads=gofmt,fzf,gum,go] [sequence workloads=fzf,gum]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitHubStandIn } from '../__tests__/support/github-api.ts';
import { startResultsService } from '../__tests__/support/results-service.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GORELEASER = { module: 'github.com/goreleaser/goreleaser/v2', version: 'v2.17.0' };
const GO_UPGRADE = 'go1.27.3';
const ADDED_TARGET = 'linux/riscv64';
const PROGRAMS = {
  fzf: { module: 'github.com/junegunn/fzf', version: 'v0.65.2', bump: 'github.com/mattn/go-isatty@v0.0.21' },
  gum: {
    module: 'github.com/charmbracelet/gum',
    version: 'v0.17.0',
    bump: 'github.com/mattn/go-isatty@v0.0.21',
  },
};
const coldWorkloads = (process.argv[2] ?? 'gofmt,fzf,gum,go').split(',').filter(Boolean);
const sequenceWorkloads = (process.argv[3] ?? 'fzf,gum').split(',').filter(Boolean);

const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const bench = path.join(root, '.cache', 'bench');
const tools = path.join(root, '.cache', 'bench-tools');
// Modules come from a local copy of what the proxy served, so neither side waits on the network.
const modcache = path.join(bench, 'gomodcache');
const localProxy = `file://${path.join(modcache, 'cache', 'download')}`;
mkdirSync(tools, { recursive: true });
mkdirSync(path.join(modcache, 'cache', 'download'), { recursive: true });

function goOut(args, env = {}, cwd = root) {
  return execFileSync(go, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GOMODCACHE: modcache, GOFLAGS: '-mod=mod', ...env },
    maxBuffer: 64 << 20,
  }).trim();
}

// The first-class ports, as the Go in use lists them (8 today).
const TARGETS = JSON.parse(goOut(['tool', 'dist', 'list', '-json']))
  .filter((p) => p.FirstClass)
  .map((p) => `${p.GOOS}/${p.GOARCH}`)
  .sort();

function installGoReleaser() {
  const bin = path.join(tools, 'goreleaser');
  if (
    existsSync(bin) &&
    goOut(['version', '-m', bin]).includes(`${GORELEASER.module}\t${GORELEASER.version}`)
  )
    return bin;
  console.error(`installing GoReleaser ${GORELEASER.version} from the module proxy (once)…`);
  goOut(['install', `${GORELEASER.module}@${GORELEASER.version}`], { GOBIN: tools, GOTOOLCHAIN: 'local' });
  return bin;
}

/** The Go 1.27 toolchain module's GOROOT, fetched through the proxy once. */
let upgradedGoroot = null;
function upgradeGoroot() {
  upgradedGoroot ??= goOut(['env', 'GOROOT'], { GOTOOLCHAIN: GO_UPGRADE });
  return upgradedGoroot;
}

function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, name);
    chmodSync(file, statSync(file).isDirectory() ? 0o755 : 0o644);
  }
}

/** A workspace: the module at a pinned version (a copy, or GOROOT's cmd in place) and a directory for GoReleaser. */
function checkOut(name) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `gbm-peers-${name}-`));
  let moduleDir;
  let pkg;
  if (name === 'gofmt' || name === 'go') {
    // The std module "cmd" builds only in place (a copy is an ambiguous import); nothing writes there.
    moduleDir = path.join(goOut(['env', 'GOROOT']), 'src', 'cmd');
    pkg = `./${name}`;
  } else {
    const program = PROGRAMS[name];
    const info = JSON.parse(goOut(['mod', 'download', '-json', `${program.module}@${program.version}`]));
    cpSync(info.Dir, path.join(dir, name), { recursive: true });
    moduleDir = path.join(dir, name);
    makeWritable(moduleDir);
    pkg = '.';
    goOut(['mod', 'download'], { GOTOOLCHAIN: 'local' }, moduleDir);
  }
  // GoReleaser runs from a directory of its own (its config and dist/ never land in the module)
  // that is a git repository, as it expects.
  const releaserDir = path.join(dir, 'goreleaser');
  mkdirSync(releaserDir);
  const git = (...args) => execFileSync('git', args, { cwd: releaserDir, stdio: 'ignore' });
  git('init', '-q');
  git(
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@example.com',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'bench',
  );
  return { dir, moduleDir, pkg, releaserDir };
}

function goreleaserConfig(ws, targets) {
  const file = path.join(ws.releaserDir, '.goreleaser.yaml');
  const byOs = targets.map((t) => t.split('/'));
  writeFileSync(
    file,
    [
      'version: 2',
      'project_name: bench',
      `dist: ${path.join(ws.dir, 'goreleaser-dist')}`,
      'builds:',
      '  - id: bench',
      `    dir: ${ws.moduleDir}`,
      `    main: ${ws.pkg}`,
      '    binary: bench',
      '    env: [CGO_ENABLED=0]',
      '    flags: [-trimpath]',
      '    ldflags: [-s -w]',
      '    targets:',
      ...byOs.map(
        ([os_, arch]) =>
          `      - ${os_}_${arch}${arch === 'arm' ? '_7' : arch === 'amd64' ? '_v1' : arch === '386' ? '_sse2' : arch === 'arm64' ? '_v8.0' : ''}`,
      ),
      '',
    ].join('\n'),
  );
  return file;
}

function timed(argv, { cwd, env }) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}:\n${out.slice(-4000)}`));
      else resolve({ seconds, out });
    });
  });
}

/**
 * A fresh runner: empty, but at the same paths every time for one side, as a hosted runner's
 * GOCACHE and GOMODCACHE are (@actions/cache's entry version hashes the paths it saves).
 */
function runnerDirs(tag) {
  const vm = path.join(os.tmpdir(), `gbm-peers-vm-${tag}`);
  rmSync(vm, { recursive: true, force: true });
  mkdirSync(vm, { recursive: true });
  return { vm, GOCACHE: path.join(vm, 'go-build'), GOMODCACHE: path.join(vm, 'mod') };
}

/** The bundled action as a runner starts it. */
async function action(ws, runner, inputs, env) {
  const files = path.join(runner.vm, 'files');
  mkdirSync(files, { recursive: true });
  const output = path.join(files, 'output');
  writeFileSync(output, '');
  writeFileSync(path.join(files, 'summary'), '');
  const childEnv = {
    ...process.env,
    ...env,
    GOCACHE: runner.GOCACHE,
    GOMODCACHE: runner.GOMODCACHE,
    GOPROXY: localProxy,
    GOFLAGS: '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ws.dir,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
    RUNNER_TEMP: files,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
  };
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  const { seconds } = await timed([process.execPath, path.join(root, 'dist', 'index.js')], {
    cwd: ws.dir,
    env: childEnv,
  });
  const manifest = JSON.parse(readFileSync(path.join(inputs['output-dir'], 'manifest.json'), 'utf8'));
  return { seconds, manifest };
}

function actionInputs(ws, runner, targets, cache) {
  return {
    targets: targets.join(' '),
    'working-directory': ws.moduleDir,
    package: ws.pkg,
    'output-dir': path.join(runner.vm, 'out'),
    archive: 'none',
    checksums: 'none',
    upload: 'false',
    cache,
    summary: 'false',
  };
}

async function goreleaser(ws, runner, targets, pathPrefix) {
  const config = goreleaserConfig(ws, targets);
  return timed([installGoReleaser(), 'build', '--snapshot', '--clean', '--config', config], {
    cwd: ws.releaserDir,
    env: {
      ...process.env,
      PATH: `${pathPrefix}:${process.env.PATH}`,
      GOCACHE: runner.GOCACHE,
      GOMODCACHE: runner.GOMODCACHE,
      GOPROXY: localProxy,
      GOFLAGS: '',
      GOTOOLCHAIN: 'local',
    },
  });
}

// ---------- 1. cold: ours vs GoReleaser ----------
const goBin = path.dirname(go);

async function coldPair(name) {
  const ws = checkOut(name);
  const rows = [];
  // Alternate, GoReleaser first: any warm-up of the machine favours the second.
  for (const side of ['goreleaser', 'ours']) {
    const runner = runnerDirs(`cold-${side}`);
    // Modules are on the runner already (a cold GOCACHE is the subject here).
    cpSync(modcache, runner.GOMODCACHE, { recursive: true });
    const r =
      side === 'ours'
        ? await action(ws, runner, actionInputs(ws, runner, TARGETS, 'false'), {
            PATH: `${goBin}:${process.env.PATH}`,
          })
        : await goreleaser(ws, runner, TARGETS, goBin);
    rows.push({ side, seconds: r.seconds });
    rmSync(runner.vm, { recursive: true, force: true });
  }
  rmSync(ws.dir, { recursive: true, force: true });
  const ours = rows.find((r) => r.side === 'ours').seconds;
  const theirs = rows.find((r) => r.side === 'goreleaser').seconds;
  return { workload: name, oursSeconds: ours, goreleaserSeconds: theirs, ratio: ours / theirs };
}

// ---------- 2. the commit sequence ----------
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

function entriesOf(service) {
  const finalized = service.cacheEntries().filter((e) => e.finalized);
  return {
    entries: finalized.length,
    bytes: finalized.reduce((sum, e) => sum + e.sizeBytes, 0),
    keys: finalized.map((e) => `${e.key} (${e.ref}, ${mb(e.sizeBytes)})`),
  };
}

/** setup-go v5's cache (restore in the setup step, save in its post step), around GoReleaser. */
async function setupGoStep(ws, runner, service, targets, goroot, runId) {
  const cache = await import('@actions/cache');
  const env = service.envFor(`run-${runId}`, 'build');
  Object.assign(process.env, env, {
    RUNNER_TEMP: path.join(runner.vm, 'temp'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
  });
  mkdirSync(process.env.RUNNER_TEMP, { recursive: true });
  const started = process.hrtime.bigint();
  const version = execFileSync(path.join(goroot, 'bin', 'go'), ['env', 'GOVERSION'], { encoding: 'utf8' })
    .trim()
    .replace(/^go/, '');
  // setup-go: `setup-go-${platform}-${arch}-${linuxVersion}go-${versionSpec}-${hash of go.sum}`.
  const key = `setup-go-linux-x64-ubuntu24-go-${version}-${sha256(readFileSync(path.join(ws.moduleDir, 'go.sum')))}`;
  const paths = [runner.GOMODCACHE, runner.GOCACHE];
  const matched = await cache.restoreCache([...paths], key);
  const restoredBytes = matched ? dirSize(runner.vm, ['go-build', 'mod']) : 0;
  await goreleaser(ws, runner, targets, path.join(goroot, 'bin'));
  let savedBytes = 0;
  if (matched !== key) {
    savedBytes = dirSize(runner.vm, ['go-build', 'mod']);
    await cache.saveCache([...paths], key);
  }
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    restoredBytes,
    savedBytes,
    hit: matched === key,
  };
}

function dirSize(base, names) {
  let total = 0;
  for (const name of names) {
    const dir = path.join(base, name);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true })) {
      const s = statSync(path.join(dir, entry), { throwIfNoEntry: false });
      if (s?.isFile()) total += s.size;
    }
  }
  return total;
}

async function oursStep(ws, runner, service, api, targets, goroot, runId) {
  const inputs = {
    ...actionInputs(ws, runner, targets, 'true'),
    'cache-key-prefix': 'bench',
    'github-token': api.token,
  };
  const r = await action(ws, runner, inputs, {
    ...service.envFor(`run-${runId}`, 'build'),
    PATH: `${path.join(goroot, 'bin')}:${process.env.PATH}`,
    GITHUB_RUN_ID: String(runId),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
    GITHUB_API_URL: api.url,
  });
  return {
    seconds: r.seconds,
    restoredBytes: r.manifest.cache.restoredBytes,
    savedBytes: r.manifest.cache.savedBytes,
    hit: r.manifest.cache.hit,
  };
}

async function sequence(name) {
  const sides = {};
  for (const side of ['setup-go', 'ours']) {
    const service = await startResultsService();
    const api = new GitHubStandIn({
      caches: { entries: () => service.cacheEntries(), remove: (id) => service.removeCacheEntry(id) },
    });
    await api.start();
    sides[side] = { ws: checkOut(name), service, api, steps: [] };
  }
  const baseGoroot = path.dirname(goBin);
  const steps = [
    { step: 'cold', change: () => undefined },
    {
      step: 'source edit',
      change: (ws) => {
        const main =
          readdirSync(ws.moduleDir).find((f) => f === 'main.go') ??
          readdirSync(ws.moduleDir).find((f) => f.endsWith('.go'));
        const file = path.join(ws.moduleDir, main);
        writeFileSync(
          file,
          `${readFileSync(file, 'utf8')}\nvar benchEdit = "edit"\n\nfunc init() { _ = benchEdit }\n`,
        );
      },
    },
    {
      step: 'dependency bump',
      change: (ws) =>
        goOut(
          ['get', PROGRAMS[name].bump],
          { GOTOOLCHAIN: 'local', GOPROXY: 'https://proxy.golang.org' },
          ws.moduleDir,
        ),
    },
    { step: 'target added', change: () => undefined, targets: [...TARGETS, ADDED_TARGET] },
    { step: 'Go upgrade', change: () => undefined, targets: [...TARGETS, ADDED_TARGET], go: 'upgrade' },
    { step: 'no-op re-run', change: () => undefined, targets: [...TARGETS, ADDED_TARGET], go: 'upgrade' },
  ];
  let runId = 100;
  for (const s of steps) {
    runId++;
    for (const side of ['setup-go', 'ours']) {
      const { ws, service, api } = sides[side];
      s.change(ws);
      const goroot = s.go === 'upgrade' ? upgradeGoroot() : baseGoroot;
      const runner = runnerDirs(side);
      const r =
        side === 'ours'
          ? await oursStep(ws, runner, service, api, s.targets ?? TARGETS, goroot, runId)
          : await setupGoStep(ws, runner, service, s.targets ?? TARGETS, goroot, runId);
      rmSync(runner.vm, { recursive: true, force: true });
      sides[side].steps.push({ step: s.step, ...r, ...entriesOf(service) });
      console.error(`  ${name} ${s.step} ${side}: ${r.seconds.toFixed(1)} s`);
    }
  }
  for (const side of Object.values(sides)) {
    await side.api.stop();
    await side.service.close();
    rmSync(side.ws.dir, { recursive: true, force: true });
  }
  return {
    workload: name,
    steps: sides.ours.steps.map((ours, i) => ({
      step: ours.step,
      ours,
      setupGo: sides['setup-go'].steps[i],
      ratio: ours.seconds / sides['setup-go'].steps[i].seconds,
    })),
  };
}

// ---------- report ----------

/** One chart per workload: the cold pair (vs GoReleaser), then each sequence step (vs setup-go + GoReleaser). */
function chart(name, cold, seq) {
  const rows = [
    ...(cold ? [{ label: 'cold, no cache', peer: 'GoReleaser', ratio: cold.ratio }] : []),
    ...(seq?.steps ?? []).map((s) => ({ label: s.step, peer: 'setup-go + GoReleaser', ratio: s.ratio })),
  ];
  const width = 720;
  const barHeight = 26;
  const left = 150;
  const scale = (width - left - 230) / Math.max(1.2, ...rows.map((r) => r.ratio));
  const bars = rows.map((r, i) => {
    const y = 40 + i * (barHeight + 10);
    const w = Math.max(1, r.ratio * scale);
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${r.label}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${r.ratio <= 1 ? '#2da44e' : '#cf222e'}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 17}">${r.ratio.toFixed(2)}× vs ${r.peer}</text>`,
    ].join('');
  });
  const one = left + scale;
  const height = 50 + rows.length * (barHeight + 10);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="22" font-weight="bold">${name}, ${TARGETS.length} first-class targets: wall time of go-build-matrix / peer (dashed line = 1.0)</text>${bars.join('')}<line x1="${one.toFixed(1)}" y1="32" x2="${one.toFixed(1)}" y2="${height - 4}" stroke="#57606a" stroke-dasharray="4 3"/></svg>\n`;
}

const results = {
  date: new Date().toISOString(),
  cores: os.cpus().length,
  goreleaser: GORELEASER.version,
  go: goOut(['env', 'GOVERSION']),
  upgrade: GO_UPGRADE,
  targets: TARGETS,
  cold: [],
  sequences: [],
};
// Written after every workload, so that a late failure keeps what was measured.
function record(name) {
  writeFileSync(path.join(root, 'bench', 'results', 'peers.json'), `${JSON.stringify(results, null, 2)}\n`);
  const cold = results.cold.find((r) => r.workload === name);
  const seq = results.sequences.find((r) => r.workload === name);
  writeFileSync(path.join(root, 'bench', 'results', `peers-${name}.svg`), chart(name, cold, seq));
}

installGoReleaser();
// The sequences first: they are what a run can least afford to lose.
for (const name of sequenceWorkloads) {
  console.error(`sequence ${name}…`);
  const seq = await sequence(name);
  results.sequences.push(seq);
  record(name);
  console.log(
    `\n${name}: step | ours s | setup-go+GoReleaser s | ratio | ours restored/saved | theirs restored/saved | entries after (ours / theirs)`,
  );
  for (const s of seq.steps) {
    console.log(
      `  ${s.step} | ${s.ours.seconds.toFixed(1)} | ${s.setupGo.seconds.toFixed(1)} | ${s.ratio.toFixed(2)} | ${mb(s.ours.restoredBytes)} / ${mb(s.ours.savedBytes)} | ${mb(s.setupGo.restoredBytes)} / ${mb(s.setupGo.savedBytes)} | ${s.ours.entries} (${mb(s.ours.bytes)}) / ${s.setupGo.entries} (${mb(s.setupGo.bytes)})`,
    );
  }
}
for (const name of coldWorkloads) {
  console.error(`cold ${name}…`);
  const r = await coldPair(name);
  results.cold.push(r);
  record(name);
  console.log(
    `cold ${name}, ${TARGETS.length} targets: ours ${r.oursSeconds.toFixed(1)} s, GoReleaser ${r.goreleaserSeconds.toFixed(1)} s, ratio ${r.ratio.toFixed(2)}`,
  );
}
