#!/usr/bin/env node
// The second run of a matrix must cost a fraction of the first. Runs the bundled action twice per
// round the way a runner would — a fresh GOCACHE each time, like a new VM — against the local
// results-service emulation with the real @actions/cache client, building the Go toolchain's own
// cmd/gofmt, and prints the build-phase ratio (run 2 / run 1) as a median with min–max.
// Needs Node 24 (it imports the TypeScript harness with type stripping): npm run bench.
// Usage: bench/cache.mjs [rounds=2] [targets="linux/amd64 linux/arm64 windows/amd64 darwin/arm64"]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startResultsService } from '../__tests__/support/results-service.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 2);
const targets = process.argv[3] ?? 'linux/amd64 linux/arm64 windows/amd64 darwin/arm64';
const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
const goVersion = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
const service = await startResultsService();

function runAction(env, inputs) {
  const files = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-runner-'));
  const childEnv = {
    ...process.env,
    ...service.env,
    ...env,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: root,
    GITHUB_OUTPUT: path.join(files, 'output'),
    GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
    RUNNER_TEMP: files,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
  };
  writeFileSync(childEnv.GITHUB_OUTPUT, '');
  writeFileSync(childEnv.GITHUB_STEP_SUMMARY, '');
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'index.js')], {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`action exited ${code}:\n${stdout.slice(-3000)}`));
      const manifest = JSON.parse(readFileSync(path.join(inputs['output-dir'], 'manifest.json'), 'utf8'));
      resolve({ manifest, wall: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)].toFixed(3)} [${sorted[0].toFixed(3)}–${sorted.at(-1).toFixed(3)}]`;
};

const buildRatios = [];
const wallRatios = [];
const rows = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const vm = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-vm-'));
    const inputs = {
      targets,
      'working-directory': path.join(goroot, 'src', 'cmd'),
      package: './gofmt',
      'output-dir': path.join(vm, 'out'),
      upload: 'false',
      'cache-key-prefix': `bench-${Date.now()}`,
    };
    const gocache = path.join(vm, 'gocache');
    const first = await runAction({ GOCACHE: gocache, GITHUB_RUN_ID: `${round}1` }, inputs);
    rmSync(gocache, { recursive: true, force: true }); // a new VM for the second run
    const second = await runAction({ GOCACHE: gocache, GITHUB_RUN_ID: `${round}2` }, inputs);
    if (second.manifest.cache.hit === 'false') throw new Error('the second run restored nothing');
    buildRatios.push(second.manifest.buildPhaseSeconds / first.manifest.buildPhaseSeconds);
    wallRatios.push(second.wall / first.wall);
    rows.push(
      `  round ${round}: build phase ${first.manifest.buildPhaseSeconds.toFixed(1)} s → ${second.manifest.buildPhaseSeconds.toFixed(1)} s, ` +
        `action ${first.wall.toFixed(1)} s → ${second.wall.toFixed(1)} s, saved ${(first.manifest.cache.savedBytes / 1e6).toFixed(1)} MB, ` +
        `restored ${(second.manifest.cache.restoredBytes / 1e6).toFixed(1)} MB (hit ${second.manifest.cache.hit})`,
    );
    rmSync(vm, { recursive: true, force: true });
  }
} finally {
  await service.close();
}
console.log(`cache: cmd/gofmt (${goVersion}) for ${targets}, ${rounds} round(s), fresh GOCACHE per run`);
for (const row of rows) console.log(row);
console.log(`  build phase, run 2 / run 1: ${stats(buildRatios)}`);
console.log(`  whole action, run 2 / run 1: ${stats(wallRatios)}`);
