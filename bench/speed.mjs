#!/usr/bin/env node
// How the engine compares with what a user would otherwise run, side by side on this machine:
//   (a) a sequential `for target: GOOS=… GOARCH=… go build` loop,
//   (b) the same loop with every target started at once,
//   (c) the bundled action (dist/index.js, the way a runner starts it), cache off,
//   each with an empty GOCACHE, alternating round by round; then
//   (d) the action again on a new, empty GOCACHE with the cache restored from the local results
//       service (a warm-up run first saves the GOCACHE (c) left behind, pruned as usual).
// Prints median ratios [min–max] c/a, c/b, d/c, CPU utilisation of (c), our overhead (wall of (c)
// minus the time any `go` process was running), action start → first `go`, and the saved cache
// size. Writes bench/results/speed.json (programs not measured this time are kept from the last
// file) and, per program, an SVG timeline of the last (c).
//
// A `go` wrapper first on PATH (used by every run, so all pay the same) logs each go process's
// start and end and adds -debug-actiongraph to `go build`, whose action timings say when each
// target's link step ran.
// Needs Node 24 (it imports the TypeScript results service): npm run bench.
// Usage: bench/speed.mjs [programs=gofmt:2,go:1] [targets=8 default targets]
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startResultsService } from '../__tests__/support/results-service.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const programs = (process.argv[2] ?? 'gofmt:2,go:1').split(',').map((p) => {
  const [name, rounds = '1'] = p.split(':');
  return { name, rounds: Number(rounds) };
});
const targets = (
  process.argv[3] ??
  'linux/amd64 linux/arm64 linux/arm linux/386 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64'
).split(/\s+/);
const realGo = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim() + '/bin/go';
const goVersion = execFileSync(realGo, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
const goroot = path.dirname(path.dirname(realGo));
const cores = os.availableParallelism();
const service = await startResultsService();
const resultsDir = path.join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });

/** CPU seconds (user+sys) of every child this process has waited for, from /proc/self/stat. */
function childCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in clock ticks (USER_HZ 100)
}

/** A directory holding the `go` wrapper and the log it writes. */
function goWrapper() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-go-'));
  const log = path.join(dir, 'log');
  mkdirSync(log);
  const script = `#!/bin/sh
started=$(date +%s%N)
command=$1
if [ "$command" = build ]; then
  shift
  out=""; previous=""
  for arg in "$@"; do [ "$previous" = "-o" ] && out=$arg; previous=$arg; done
  "${realGo}" build "-debug-actiongraph=${log}/$(basename "$out").json" "$@"
else
  "${realGo}" "$@"
fi
status=$?
echo "$started $(date +%s%N) $command" >> "${log}/calls"
exit $status
`;
  writeFileSync(path.join(dir, 'go'), script);
  chmodSync(path.join(dir, 'go'), 0o755);
  return { bin: dir, log };
}

function spawnWait(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

/** Runs fn, returning its wall seconds and the CPU seconds its children used, with the go log. */
async function measured(fn) {
  const wrapper = goWrapper();
  const cpu0 = childCpuSeconds();
  const start = process.hrtime.bigint();
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const value = await fn(wrapper);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = childCpuSeconds() - cpu0;
  const calls = existsSync(path.join(wrapper.log, 'calls'))
    ? readFileSync(path.join(wrapper.log, 'calls'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([s, e, cmd]) => ({
          start: Number(BigInt(s) - startNs) / 1e9,
          end: Number(BigInt(e) - startNs) / 1e9,
          cmd,
        }))
    : [];
  const graphs = Object.fromEntries(
    readdirSync(wrapper.log)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(path.join(wrapper.log, f), 'utf8'))]),
  );
  rmSync(wrapper.bin, { recursive: true, force: true });
  return { wall, cpu, utilisation: cpu / (wall * cores), calls, graphs, startNs, value };
}

function loopEnv(wrapper, gocache, goos, goarch) {
  return {
    ...process.env,
    PATH: `${wrapper.bin}:${process.env.PATH}`,
    GOCACHE: gocache,
    GOOS: goos,
    GOARCH: goarch,
    CGO_ENABLED: '0',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
  };
}

/** (a) and (b): the loop a user would write, one target after another or all at once. */
function loop(program, allAtOnce) {
  return measured(async (wrapper) => {
    const vm = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-loop-'));
    const one = async (target) => {
      const [goos, goarch] = target.split('/');
      const out = path.join(vm, `${program}-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`);
      const { code } = await spawnWait('go', ['build', '-trimpath', '-o', out, `./${program}`], {
        cwd: path.join(goroot, 'src', 'cmd'),
        env: loopEnv(wrapper, path.join(vm, 'gocache'), goos, goarch),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (code !== 0) throw new Error(`go build ${target} failed`);
    };
    if (allAtOnce) await Promise.all(targets.map(one));
    else for (const t of targets) await one(t);
    rmSync(vm, { recursive: true, force: true });
  });
}

/** (c) and (d): the bundled action, started the way a runner starts it. */
function runAction(program, vm, gocache, cache, runId) {
  return measured(async (wrapper) => {
    const files = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-runner-'));
    const outputDir = path.join(vm, `out-${runId}`);
    const env = {
      ...process.env,
      ...service.env,
      PATH: `${wrapper.bin}:${process.env.PATH}`,
      GOCACHE: gocache,
      GOFLAGS: '',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: root,
      GITHUB_RUN_ID: runId,
      GITHUB_OUTPUT: path.join(files, 'output'),
      GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
      RUNNER_TEMP: files,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      INPUT_TARGETS: targets.join(' '),
      'INPUT_WORKING-DIRECTORY': path.join(goroot, 'src', 'cmd'),
      INPUT_PACKAGE: `./${program}`,
      'INPUT_OUTPUT-DIR': outputDir,
      INPUT_UPLOAD: 'false',
      INPUT_CACHE: cache ? 'true' : 'false',
      'INPUT_CACHE-KEY-PREFIX': `bench-${program}`,
    };
    writeFileSync(env.GITHUB_OUTPUT, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY, '');
    const { code, stdout } = await spawnWait(process.execPath, [path.join(root, 'dist', 'index.js')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    rmSync(files, { recursive: true, force: true });
    if (code !== 0) throw new Error(`the action exited ${code}:\n${stdout.slice(-3000)}`);
    return JSON.parse(readFileSync(path.join(outputDir, 'manifest.json'), 'utf8'));
  });
}

/** Seconds during which at least one go process ran. */
function goSeconds(calls) {
  const spans = [...calls].sort((x, y) => x.start - y.start);
  let total = 0;
  let end = -Infinity;
  for (const s of spans) {
    if (s.start > end) {
      total += s.end - s.start;
      end = s.end;
    } else if (s.end > end) {
      total += s.end - end;
      end = s.end;
    }
  }
  return total;
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1) };
};
const show = ({ median, min, max }, digits = 3) =>
  `${median.toFixed(digits)} [${min.toFixed(digits)}–${max.toFixed(digits)}]`;

/** Per target of run (c): when go build ran, when its link step ran, when verification and archive ended. */
function timeline(run) {
  const manifest = run.value;
  const seconds = (iso) => Number(BigInt(Date.parse(iso)) * 1_000_000n - run.startNs) / 1e9;
  const builds = run.calls.filter((c) => c.cmd === 'build');
  // Manifest times count from the build phase start; place them on the bench clock through each
  // target's go build start, which both clocks saw.
  const offsets = manifest.artifacts
    .filter((a) => a.timeline)
    .map((a) => {
      const graph = run.graphs[path.basename(a.path)];
      const link = graph?.find((x) => x.Mode === 'link');
      return { a, link, graphStart: graph ? Math.min(...graph.map((x) => seconds(x.TimeStart))) : null };
    });
  const shift = stats(
    offsets.map(({ a }) => {
      const call = builds.reduce((best, c) =>
        Math.abs(c.start - a.timeline.started) < Math.abs(best.start - a.timeline.started) ? c : best,
      );
      return call.start - a.timeline.started;
    }),
  ).median;
  return offsets.map(({ a, link }) => ({
    target: a.target,
    start: a.timeline.started + shift,
    linkStart: link ? seconds(link.TimeStart) : null,
    built: a.timeline.built + shift,
    verified: a.timeline.verified === null ? null : a.timeline.verified + shift,
    done: a.timeline.done + shift,
  }));
}

function svgTimeline(program, rows, wall, caption) {
  const width = 960;
  const left = 130;
  const rowHeight = 22;
  const top = 40;
  const height = top + rows.length * rowHeight + 50;
  const x = (s) => left + (s / wall) * (width - left - 20);
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(caption)}</text>`,
  ];
  for (let s = 0; s <= wall; s += wall > 120 ? 30 : 10) {
    parts.push(
      `<line x1="${x(s)}" y1="${top - 5}" x2="${x(s)}" y2="${top + rows.length * rowHeight}" stroke="#ddd"/>`,
      `<text x="${x(s)}" y="${top + rows.length * rowHeight + 15}" text-anchor="middle" fill="#555">${s} s</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const bar = (from, to, color, title) =>
      to > from
        ? `<rect x="${x(from).toFixed(1)}" y="${y + 3}" width="${Math.max(1, x(to) - x(from)).toFixed(1)}" height="${rowHeight - 6}" fill="${color}"><title>${escape(title)} ${(to - from).toFixed(2)} s</title></rect>`
        : '';
    const linkStart = r.linkStart ?? r.built;
    parts.push(
      `<text x="10" y="${y + rowHeight - 7}">${escape(r.target)}</text>`,
      bar(r.start, linkStart, '#4c78a8', `${r.target} compile`),
      bar(linkStart, r.built, '#f58518', `${r.target} link`),
      bar(r.built, r.verified ?? r.built, '#54a24b', `${r.target} verify`),
      bar(r.verified ?? r.built, r.done, '#b279a2', `${r.target} archive`),
    );
  });
  const legendY = top + rows.length * rowHeight + 35;
  [
    ['#4c78a8', 'compile (go build until link)'],
    ['#f58518', 'link'],
    ['#54a24b', 'verify'],
    ['#b279a2', 'archive'],
  ].forEach(([color, label], i) =>
    parts.push(
      `<rect x="${left + i * 200}" y="${legendY - 10}" width="12" height="12" fill="${color}"/>`,
      `<text x="${left + i * 200 + 16}" y="${legendY}">${label}</text>`,
    ),
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const report = {
  cores,
  memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
  targets,
  programs: keptPrograms(),
};

/**
 * The programs of the last results file that this run does not measure again, when that file was
 * measured on the same machine shape and targets: `bench/speed.mjs gofmt:2` then keeps cmd/go.
 */
function keptPrograms() {
  const file = path.join(resultsDir, 'speed.json');
  if (!existsSync(file)) return {};
  const last = JSON.parse(readFileSync(file, 'utf8'));
  const same = last.cores === cores && last.targets?.join(' ') === targets.join(' ');
  if (!same) return {};
  const measured = new Set(programs.map((p) => p.name));
  return Object.fromEntries(Object.entries(last.programs ?? {}).filter(([name]) => !measured.has(name)));
}
try {
  for (const { name: program, rounds } of programs) {
    const ratios = { ca: [], cb: [], dc: [] };
    const runs = [];
    let lastC = null;
    for (let round = 1; round <= rounds; round++) {
      const a = await loop(program, false);
      const b = await loop(program, true);
      const vm = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-vm-'));
      const gocache = path.join(vm, 'gocache');
      const c = await runAction(program, vm, gocache, false, `${round}1`);
      // The warm-up saves the GOCACHE (c) filled, pruned to what a build uses; then a new VM.
      const save = await runAction(program, vm, gocache, true, `${round}2`);
      rmSync(gocache, { recursive: true, force: true });
      const d = await runAction(program, vm, gocache, true, `${round}3`);
      if (d.value.cache.hit === 'false') throw new Error('(d) restored nothing');
      rmSync(vm, { recursive: true, force: true });
      const overhead = c.wall - goSeconds(c.calls);
      const firstGo = Math.min(...c.calls.map((x) => x.start));
      const run = {
        round,
        aWall: a.wall,
        bWall: b.wall,
        cWall: c.wall,
        dWall: d.wall,
        aUtilisation: a.utilisation,
        bUtilisation: b.utilisation,
        cUtilisation: c.utilisation,
        cBuildPhase: c.value.buildPhaseSeconds,
        dBuildPhase: d.value.buildPhaseSeconds,
        cOverheadSeconds: overhead,
        cOverheadShare: overhead / c.wall,
        actionStartToFirstGoMs: firstGo * 1000,
        savedCacheBytes: save.value.cache.savedBytes,
        restoredCacheBytes: d.value.cache.restoredBytes,
      };
      runs.push(run);
      ratios.ca.push(c.wall / a.wall);
      ratios.cb.push(c.wall / b.wall);
      ratios.dc.push(d.wall / c.wall);
      lastC = c;
      console.log(
        `${program} round ${round}: a ${a.wall.toFixed(1)} s (${(a.utilisation * 100).toFixed(0)}% CPU), b ${b.wall.toFixed(1)} s (${(b.utilisation * 100).toFixed(0)}%), ` +
          `c ${c.wall.toFixed(1)} s (${(c.utilisation * 100).toFixed(0)}%, overhead ${overhead.toFixed(2)} s, first go after ${run.actionStartToFirstGoMs.toFixed(0)} ms), ` +
          `d ${d.wall.toFixed(1)} s; cache saved ${(run.savedCacheBytes / 1e6).toFixed(1)} MB`,
      );
    }
    const rows = timeline(lastC);
    const svgName = `speed-${program}.svg`;
    writeFileSync(
      path.join(resultsDir, svgName),
      svgTimeline(
        program,
        rows,
        lastC.wall,
        `cmd/${program}, ${targets.length} targets, ${goVersion}, ${cores} cores: run (c), ${lastC.wall.toFixed(1)} s`,
      ),
    );
    const summary = {
      date: new Date().toISOString(),
      go: goVersion,
      rounds,
      ca: stats(ratios.ca),
      cb: stats(ratios.cb),
      dc: stats(ratios.dc),
      cUtilisation: stats(runs.map((r) => r.cUtilisation)),
      cOverheadSeconds: stats(runs.map((r) => r.cOverheadSeconds)),
      cOverheadShare: stats(runs.map((r) => r.cOverheadShare)),
      actionStartToFirstGoMs: stats(runs.map((r) => r.actionStartToFirstGoMs)),
      savedCacheBytes: stats(runs.map((r) => r.savedCacheBytes)),
      runs,
      timeline: rows,
      chart: `bench/results/${svgName}`,
    };
    report.programs[program] = summary;
    console.log(
      `speed: cmd/${program} (${goVersion}), ${targets.length} targets, ${cores} cores, ${rounds} round(s)`,
    );
    console.log(`  c/a (engine / sequential loop):   ${show(summary.ca)}`);
    console.log(`  c/b (engine / all-at-once loop):  ${show(summary.cb)}`);
    console.log(`  d/c (cache restored / cold):      ${show(summary.dc)}`);
    console.log(`  CPU utilisation of (c):           ${show(summary.cUtilisation)}`);
    console.log(
      `  overhead of (c), s:               ${show(summary.cOverheadSeconds, 2)} (share ${show(summary.cOverheadShare)})`,
    );
    console.log(`  action start → first go, ms:      ${show(summary.actionStartToFirstGoMs, 0)}`);
    console.log(
      `  saved cache, MB:                  ${show({ median: summary.savedCacheBytes.median / 1e6, min: summary.savedCacheBytes.min / 1e6, max: summary.savedCacheBytes.max / 1e6 }, 1)}`,
    );
  }
} finally {
  await service.close();
}
writeFileSync(path.join(resultsDir, 'speed.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote bench/results/speed.json and the timeline charts`);
