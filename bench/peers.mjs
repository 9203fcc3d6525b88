#!/usr/bin/env node
// Against what users would pick instead, side by side on this machine, each step on a fresh
// runner (empty GOCACHE and GOMODCACHE) through the local results-service with the real
// @actions/cache client: the bundled action (its cache and cache-cleanup, against the GitHub API
// stand-in) vs setup-go's cache exactly as setup-go uses it (one entry of GOCACHE+GOMODCACHE keyed
// by OS, arch, Go version and the go.sum hash, no restore keys, saved only when that key missed)
// in front of GoReleaser (`goreleaser build --snapshot`, pinned, built from the Go module proxy).
// The two sides alternate which goes first, step by step.
//  - month: a month of commits on a real program from the proxy: a cold first build, then 20
//    commits (12 source edits in the main package, a package most others import, and a leaf, 2
//    docs-only commits, 2 re-runs, a dependency bump, a target added, a Go upgrade, a target
//    removed), then one more docs-only commit and re-run so those take three pairs too;
//  - steps: GOROOT's cmd/go (a copy of GOROOT): cold, 3 source edits, 3 docs-only commits, 3
//    re-runs, a target added.
// Every step records wall time, bytes restored and saved, packages compiled (new build outputs in
// GOCACHE), and ours its stage times; at the end the cache bytes each side keeps. Figures go to
// bench/results/peers.json and one SVG per workload. Needs Node 24 (type stripping).
// Usage: bench/peers.mjs [month workloads=fzf,age] [steps workloads=go] [cold workloads=]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Buffer } from 'node:buffer';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitHubStandIn } from '../__tests__/support/github-api.ts';
import { startResultsService } from '../__tests__/support/results-service.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GORELEASER = { module: 'github.com/goreleaser/goreleaser/v2', version: 'v2.17.0' };
const GO_UPGRADE = 'go1.27.3';
const ADDED_TARGET = 'linux/riscv64';
// The files each kind of source edit changes: the main package, a package most of the program
// imports, and a leaf (imported by one or two packages).
const PROGRAMS = {
  fzf: {
    module: 'github.com/junegunn/fzf',
    version: 'v0.65.2',
    pkg: '.',
    bump: 'github.com/mattn/go-isatty@v0.0.21',
    edits: { main: 'main.go', core: 'src/util/util.go', leaf: 'src/algo/algo.go' },
    docs: 'README.md',
  },
  age: {
    module: 'filippo.io/age',
    version: 'v1.2.1',
    pkg: './cmd/age',
    bump: 'golang.org/x/crypto@v0.25.0',
    edits: { main: 'cmd/age/age.go', core: 'age.go', leaf: 'armor/armor.go' },
    docs: 'README.md',
  },
  go: {
    pkg: './go',
    edits: { main: 'go/main.go', core: 'go/internal/base/base.go', leaf: 'go/internal/version/version.go' },
    docs: 'README.vendor',
  },
};
const argList = (i, fallback) => (process.argv[i] ?? fallback).split(',').filter(Boolean);
const monthWorkloads = argList(2, 'fzf,age');
const stepsWorkloads = argList(3, 'go');
const coldWorkloads = argList(4, '');

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
// GBM_BENCH_TARGETS (space-separated) narrows them for a quick trial of the bench itself.
const TARGETS = process.env.GBM_BENCH_TARGETS
  ? process.env.GBM_BENCH_TARGETS.split(' ')
  : JSON.parse(goOut(['tool', 'dist', 'list', '-json']))
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
  let goroot = null;
  if (name === 'gofmt') {
    // The std module "cmd" builds only in its GOROOT (a copy elsewhere is an ambiguous import).
    moduleDir = path.join(goOut(['env', 'GOROOT']), 'src', 'cmd');
    pkg = `./${name}`;
  } else if (name === 'go') {
    // Edited, so a GOROOT of its own: the same Go, in a copy each side builds in place.
    goroot = path.join(dir, 'goroot');
    execFileSync('cp', ['-a', goOut(['env', 'GOROOT']), goroot]);
    moduleDir = path.join(goroot, 'src', 'cmd');
    pkg = PROGRAMS.go.pkg;
  } else {
    const program = PROGRAMS[name];
    const info = JSON.parse(goOut(['mod', 'download', '-json', `${program.module}@${program.version}`]));
    cpSync(info.Dir, path.join(dir, name), { recursive: true });
    moduleDir = path.join(dir, name);
    makeWritable(moduleDir);
    pkg = program.pkg;
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
  return { dir, moduleDir, pkg, releaserDir, goroot };
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
    // Each line with when it arrived: the profile of a run.
    const lines = [];
    const take = (d) => {
      out += d;
      const at = Number(process.hrtime.bigint() - started) / 1e9;
      for (const line of String(d).split('\n'))
        if (line.trim() !== '') lines.push(`${at.toFixed(3).padStart(8)}  ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}:\n${out.slice(-4000)}`));
      else resolve({ seconds, out, lines });
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
  const { seconds, lines } = await timed([process.execPath, path.join(root, 'dist', 'index.js')], {
    cwd: ws.dir,
    env: childEnv,
  });
  const manifest = JSON.parse(readFileSync(path.join(inputs['output-dir'], 'manifest.json'), 'utf8'));
  return { seconds, manifest, lines };
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

// ---------- 2. commit sequences ----------
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

/** GOCACHE's entry files (`<2 hex>/<hash>-a|-d`). */
function gocacheNames(gocache) {
  const names = new Set();
  if (!existsSync(gocache)) return names;
  for (const sub of readdirSync(gocache)) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const n of readdirSync(path.join(gocache, sub))) names.add(`${sub}/${n}`);
  }
  return names;
}

const INDEX_HEADER = Buffer.from('go index v');
/** As the action counts (src/cache/gocache.ts countNewOutputs): new entries that are build output, not `go list`'s index. */
function countNewOutputs(gocache, known) {
  let outputs = 0;
  for (const name of gocacheNames(gocache)) {
    if (known.has(name)) continue;
    let output = path.join(gocache, name);
    if (name.endsWith('-a')) {
      const id = /^v1 [0-9a-f]{64} ([0-9a-f]{64}) /.exec(readFileSync(output, 'utf8'))?.[1];
      if (id === undefined) continue;
      output = path.join(gocache, id.slice(0, 2), `${id}-d`);
    }
    if (!existsSync(output) || statSync(output).isDirectory()) {
      outputs++;
      continue;
    }
    const head = Buffer.alloc(INDEX_HEADER.length);
    const fd = openSync(output, 'r');
    const read = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    if (!(read === head.length && head.equals(INDEX_HEADER))) outputs++;
  }
  return outputs;
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
  // Only setup-go's and GoReleaser's own work is timed; the bench's sizing and counting is not.
  let timed = 0n;
  const time = async (fn) => {
    const t = process.hrtime.bigint();
    const value = await fn();
    timed += process.hrtime.bigint() - t;
    return value;
  };
  // setup-go asks the go it installed for its version and cache directories.
  const version = await time(async () =>
    execFileSync(path.join(goroot, 'bin', 'go'), ['env', 'GOVERSION', 'GOMODCACHE', 'GOCACHE'], {
      encoding: 'utf8',
    })
      .split('\n')[0]
      .trim()
      .replace(/^go/, ''),
  );
  // setup-go: `setup-go-${platform}-${arch}-${linuxVersion}go-${versionSpec}-${hash of go.sum}`.
  const key = await time(
    async () =>
      `setup-go-linux-x64-ubuntu24-go-${version}-${sha256(readFileSync(path.join(ws.moduleDir, 'go.sum')))}`,
  );
  const paths = [runner.GOMODCACHE, runner.GOCACHE];
  const matched = await time(() => cache.restoreCache([...paths], key));
  const restoredBytes = matched ? dirSize(runner.vm, ['go-build', 'mod']) : 0;
  const known = gocacheNames(runner.GOCACHE);
  await time(() => goreleaser(ws, runner, targets, path.join(goroot, 'bin')));
  const compiled = countNewOutputs(runner.GOCACHE, known);
  let savedBytes = 0;
  if (matched !== key) {
    savedBytes = dirSize(runner.vm, ['go-build', 'mod']);
    await time(() => cache.saveCache([...paths], key));
  }
  return { seconds: Number(timed) / 1e9, restoredBytes, savedBytes, compiled, hit: matched === key };
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

async function oursStep(ws, runner, service, api, targets, goroot, runId, profile) {
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
  const cache = r.manifest.cache;
  return {
    seconds: r.seconds,
    restoredBytes: cache.restoredBytes,
    savedBytes: cache.savedBytes,
    compiled: cache.reused !== undefined ? 0 : (cache.compiled ?? null),
    reused: cache.reused ?? 0,
    hit: cache.hit,
    stageSeconds: r.manifest.stageSeconds ?? null,
    ...(profile ? { profile: r.lines } : {}),
  };
}

/** The first warm source edit and the first re-run keep their log, each line with when it came (not debug: the cache client then lists every archive). */
function profiled(rows, step) {
  return (
    (step.kind === 'source edit' || step.kind === 'no-op re-run') && !rows.some((r) => r.kind === step.kind)
  );
}

/** An edit of the given kind, numbered so that every edit changes the file. */
function sourceEdit(kind, n) {
  return (ws, program) => {
    const file = path.join(ws.moduleDir, program.edits[kind]);
    // Exported outside main: the package's export data changes, so every importer compiles again.
    const addition =
      kind === 'main'
        ? `\nvar benchEdit${n} = ${n}\n\nfunc init() { _ = benchEdit${n} }\n`
        : `\n// BenchEdit${n} is a benchmark's edit.\nfunc BenchEdit${n}() int { return ${n} }\n`;
    writeFileSync(file, `${readFileSync(file, 'utf8')}${addition}`);
  };
}

function docsEdit(n) {
  return (ws, program) => {
    const file = path.join(ws.moduleDir, program.docs);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nDocs edit ${n}.\n`);
  };
}

const nothing = () => undefined;

/** Steps of a sequence, each edit numbered so that every one changes its file. */
function stepMakers() {
  let n = 0;
  return {
    edit: (kind) => ({ kind: 'source edit', detail: kind, change: sourceEdit(kind, ++n) }),
    docs: () => ({ kind: 'docs-only', change: docsEdit(++n) }),
    rerun: () => ({ kind: 'no-op re-run', change: nothing }),
  };
}

/** The month: a cold first build, 20 commits, and one more docs-only commit and re-run. */
function monthSteps(name) {
  const { edit, docs, rerun } = stepMakers();
  return [
    { kind: 'cold', change: nothing, cold: true },
    edit('main'),
    edit('core'),
    docs(),
    edit('leaf'),
    { kind: 'target added', change: nothing, targets: (t) => [...t, ADDED_TARGET] },
    edit('main'),
    rerun(),
    edit('core'),
    {
      kind: 'dependency bump',
      change: (ws) => {
        const proxy = { GOTOOLCHAIN: 'local', GOPROXY: 'https://proxy.golang.org' };
        goOut(['get', PROGRAMS[name].bump], proxy, ws.moduleDir);
        // Into the local copy of the proxy too: go get fetches only the go.mod of what it upgraded alongside.
        goOut(['mod', 'download'], proxy, ws.moduleDir);
      },
    },
    edit('leaf'),
    edit('main'),
    docs(),
    edit('core'),
    { kind: 'Go upgrade', change: nothing, go: 'upgrade' },
    edit('leaf'),
    edit('main'),
    { kind: 'target removed', change: nothing, targets: (t) => t.filter((x) => x !== ADDED_TARGET) },
    edit('core'),
    rerun(),
    edit('main'),
    { ...docs(), extra: true },
    { ...rerun(), extra: true },
  ];
}

/** GOROOT's cmd/go: no dependency to bump, and its Go is its GOROOT. */
function cmdGoSteps() {
  const { edit, docs, rerun } = stepMakers();
  return [
    { kind: 'cold', change: nothing, cold: true },
    edit('main'),
    docs(),
    rerun(),
    edit('core'),
    docs(),
    rerun(),
    edit('leaf'),
    docs(),
    rerun(),
    { kind: 'target added', change: nothing, targets: (t) => [...t, ADDED_TARGET] },
  ];
}

async function sequence(name, steps) {
  const sides = {};
  for (const side of ['setup-go', 'ours']) {
    const service = await startResultsService();
    const api = new GitHubStandIn({
      caches: { entries: () => service.cacheEntries(), remove: (id) => service.removeCacheEntry(id) },
    });
    await api.start();
    sides[side] = { ws: checkOut(name), service, api, steps: [] };
  }
  let targets = TARGETS;
  let upgraded = false;
  let runId = 100;
  const rows = [];
  // GBM_BENCH_STEPS=n stops after n steps (a quick trial of the bench itself).
  const limit = Number(process.env.GBM_BENCH_STEPS ?? steps.length);
  for (const [i, s] of steps.slice(0, limit).entries()) {
    runId++;
    if (s.targets) targets = s.targets(targets);
    if (s.go === 'upgrade') upgraded = true;
    const row = {
      n: i,
      kind: s.kind,
      detail: s.detail ?? null,
      extra: s.extra ?? false,
      targets: targets.length,
    };
    // Alternating which side goes first: any warm-up of the machine favours the second.
    const order = i % 2 === 0 ? ['setup-go', 'ours'] : ['ours', 'setup-go'];
    for (const side of order) {
      const { ws, service, api } = sides[side];
      s.change(ws, PROGRAMS[name]);
      const goroot = upgraded ? upgradeGoroot() : (ws.goroot ?? path.dirname(goBin));
      const runner = runnerDirs(side);
      const r =
        side === 'ours'
          ? await oursStep(ws, runner, service, api, targets, goroot, runId, profiled(rows, s))
          : await setupGoStep(ws, runner, service, targets, goroot, runId);
      rmSync(runner.vm, { recursive: true, force: true });
      row[side === 'ours' ? 'ours' : 'setupGo'] = { ...r, ...entriesOf(service), keys: undefined };
    }
    row.ratio = row.ours.seconds / row.setupGo.seconds;
    rows.push(row);
    const stages = Object.entries(row.ours.stageSeconds ?? {})
      .filter(([, v]) => v >= 0.05)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
    console.error(
      `  ${name} ${i} ${s.kind}${s.detail ? ` (${s.detail})` : ''}: ours ${row.ours.seconds.toFixed(1)} s (${row.ours.compiled ?? '?'} compiled${row.ours.reused ? `, ${row.ours.reused} reused` : ''}), setup-go+GoReleaser ${row.setupGo.seconds.toFixed(1)} s (${row.setupGo.compiled} compiled): ${row.ratio.toFixed(2)}; ours: ${stages}`,
    );
  }
  const end = { ours: entriesOf(sides.ours.service), setupGo: entriesOf(sides['setup-go'].service) };
  for (const side of Object.values(sides)) {
    await side.api.stop();
    await side.service.close();
    rmSync(side.ws.dir, { recursive: true, force: true });
  }
  return summarize(name, rows, end);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function summarize(name, rows, end) {
  const kinds = {};
  for (const r of rows) {
    (kinds[r.kind] ??= []).push(r);
  }
  const byKind = Object.fromEntries(
    Object.entries(kinds).map(([kind, rs]) => [
      kind,
      {
        pairs: rs.length,
        ratio: median(rs.map((r) => r.ratio)),
        min: Math.min(...rs.map((r) => r.ratio)),
        max: Math.max(...rs.map((r) => r.ratio)),
        oursSeconds: median(rs.map((r) => r.ours.seconds)),
        setupGoSeconds: median(rs.map((r) => r.setupGo.seconds)),
      },
    ]),
  );
  const counted = rows.filter((r) => !r.extra && r.kind !== 'cold');
  const sum = (rs, side) => rs.reduce((t, r) => t + r[side].seconds, 0);
  const cumulative =
    counted.length === 20
      ? {
          commits: 20,
          oursSeconds: sum(counted, 'ours'),
          setupGoSeconds: sum(counted, 'setupGo'),
          ratio: sum(counted, 'ours') / sum(counted, 'setupGo'),
          withColdRatio:
            (sum(counted, 'ours') + rows[0].ours.seconds) /
            (sum(counted, 'setupGo') + rows[0].setupGo.seconds),
          oursCompiled: counted.reduce((t, r) => t + (r.ours.compiled ?? 0), 0),
          setupGoCompiled: counted.reduce((t, r) => t + r.setupGo.compiled, 0),
        }
      : null;
  return {
    workload: name,
    steps: rows,
    byKind,
    cumulative,
    cacheAtEnd: {
      ours: { entries: end.ours.entries, bytes: end.ours.bytes, keys: end.ours.keys },
      setupGo: { entries: end.setupGo.entries, bytes: end.setupGo.bytes, keys: end.setupGo.keys },
    },
  };
}

// ---------- report ----------

/** One chart per workload: cold vs GoReleaser, each step kind's median vs setup-go + GoReleaser, the month. */
function chart(name, cold, seq) {
  const rows = [
    ...(cold ? [{ label: 'cold, no cache', peer: 'GoReleaser', ratio: cold.ratio, note: '' }] : []),
    ...Object.entries(seq?.byKind ?? {}).map(([kind, k]) => ({
      label: kind,
      peer: 'setup-go + GoReleaser',
      ratio: k.ratio,
      note: k.pairs > 1 ? `, median of ${k.pairs}, ${k.min.toFixed(2)}–${k.max.toFixed(2)}` : '',
    })),
    ...(seq?.cumulative
      ? [{ label: '20 commits', peer: 'setup-go + GoReleaser', ratio: seq.cumulative.ratio, note: ', sum' }]
      : []),
  ];
  const width = 820;
  const barHeight = 26;
  const left = 150;
  const scale = (width - left - 330) / Math.max(1.2, ...rows.map((r) => r.ratio));
  const bars = rows.map((r, i) => {
    const y = 40 + i * (barHeight + 10);
    const w = Math.max(1, r.ratio * scale);
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${r.label}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${r.ratio <= 1 ? '#2da44e' : '#cf222e'}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 17}">${r.ratio.toFixed(2)}× vs ${r.peer}${r.note}</text>`,
    ].join('');
  });
  const one = left + scale;
  const height = 50 + rows.length * (barHeight + 10);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="22" font-weight="bold">${name}, ${TARGETS.length} first-class targets: wall time of go-build-matrix / peer (dashed line = 1.0)</text>${bars.join('')}<line x1="${one.toFixed(1)}" y1="32" x2="${one.toFixed(1)}" y2="${height - 4}" stroke="#57606a" stroke-dasharray="4 3"/></svg>\n`;
}

const resultsFile = path.join(root, 'bench', 'results', 'peers.json');
// A part run alone keeps the other parts' figures.
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const results = {
  date: new Date().toISOString(),
  cores: os.cpus().length,
  goreleaser: GORELEASER.version,
  go: goOut(['env', 'GOVERSION']),
  upgrade: GO_UPGRADE,
  targets: TARGETS,
  // Another part's figures are kept; this run's workloads get only this run's.
  cold: (previous.cold ?? []).filter(
    (r) => ![...coldWorkloads, ...monthWorkloads, ...stepsWorkloads].includes(r.workload),
  ),
  sequences: (previous.sequences ?? []).filter(
    (r) => r.steps?.[0]?.kind === 'cold' && ![...monthWorkloads, ...stepsWorkloads].includes(r.workload),
  ),
};
// Written after every workload, so that a late failure keeps what was measured.
function record(name) {
  const seqForProfile = results.sequences.find((r) => r.workload === name);
  for (const row of seqForProfile?.steps ?? []) {
    if (!row.ours.profile) continue;
    const file = path.join(root, 'bench', 'results', `profile-${name}-${row.kind.replace(/\W+/g, '-')}.txt`);
    writeFileSync(file, `${row.ours.profile.join('\n')}\n`);
    delete row.ours.profile;
  }
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const cold = results.cold.find((r) => r.workload === name);
  const seq = results.sequences.find((r) => r.workload === name);
  writeFileSync(path.join(root, 'bench', 'results', `peers-${name}.svg`), chart(name, cold, seq));
}

function printSequence(seq) {
  console.log(
    `\n${seq.workload}: step | ours s | setup-go+GoReleaser s | ratio | compiled ours / theirs | ours restored/saved | theirs restored/saved`,
  );
  for (const s of seq.steps) {
    console.log(
      `  ${s.n} ${s.kind}${s.detail ? ` (${s.detail})` : ''}${s.extra ? ' [extra]' : ''} | ${s.ours.seconds.toFixed(1)} | ${s.setupGo.seconds.toFixed(1)} | ${s.ratio.toFixed(2)} | ${s.ours.compiled ?? '?'}${s.ours.reused ? ` (${s.ours.reused} reused)` : ''} / ${s.setupGo.compiled} | ${mb(s.ours.restoredBytes)} / ${mb(s.ours.savedBytes)} | ${mb(s.setupGo.restoredBytes)} / ${mb(s.setupGo.savedBytes)}`,
    );
  }
  for (const [kind, k] of Object.entries(seq.byKind)) {
    console.log(
      `  ${kind}: median ${k.ratio.toFixed(2)}× of ${k.pairs} pair(s) (spread ${k.min.toFixed(2)}–${k.max.toFixed(2)}); ours ${k.oursSeconds.toFixed(1)} s, theirs ${k.setupGoSeconds.toFixed(1)} s`,
    );
  }
  if (seq.cumulative) {
    const c = seq.cumulative;
    console.log(
      `  20 commits: ours ${c.oursSeconds.toFixed(0)} s, theirs ${c.setupGoSeconds.toFixed(0)} s: ${c.ratio.toFixed(2)}× (${c.withColdRatio.toFixed(2)}× with the cold first build); packages compiled ${c.oursCompiled} / ${c.setupGoCompiled}`,
    );
  }
  console.log(
    `  cache at the end: ours ${seq.cacheAtEnd.ours.entries} entries (${mb(seq.cacheAtEnd.ours.bytes)}), theirs ${seq.cacheAtEnd.setupGo.entries} (${mb(seq.cacheAtEnd.setupGo.bytes)})`,
  );
}

// `bench/peers.mjs charts`: only draw the charts again from bench/results/peers.json.
if (process.argv[2] === 'charts') {
  Object.assign(results, previous);
  for (const name of new Set([...results.cold, ...results.sequences].map((r) => r.workload))) record(name);
  process.exit(0);
}
installGoReleaser();
for (const [names, steps] of [
  [monthWorkloads, monthSteps],
  [stepsWorkloads, cmdGoSteps],
]) {
  for (const name of names) {
    console.error(`sequence ${name}…`);
    const seq = await sequence(name, steps(name));
    results.sequences.push(seq);
    record(name);
    printSequence(seq);
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
