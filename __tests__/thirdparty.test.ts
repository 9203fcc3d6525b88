// Real programs with real dependencies, fetched at pinned versions through the Go module proxy:
// fzf (a handful of modules) and gum (a few hundred packages), not vendored, each cross-built
// for six targets through the engine with Go 1.26 and 1.27. Every binary must be verified and
// record exactly the modules its target links, at the versions `go list -m all` selects and with
// the hashes go.sum pins. Then the module cache of a real program through the cache service:
// saved under its go.sum key, restored on a fresh runner that builds with GOPROXY=off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { jobEnv } from './cache/helpers.js';
import { build, tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import type { Program } from './support/thirdparty.js';
import {
  checkOut,
  downloadDependencies,
  FZF,
  GUM,
  linkedModules,
  moduleFacts,
  recordedDependencies,
  SUITE_GOMODCACHE,
  SUITE_PROXY,
} from './support/thirdparty.js';
import type { Release, Toolchain } from './support/toolchains.js';
import { goEnv, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);

/** sha256sum's digest of a file, or of its standard input when `file` is '-'. */
const sha256sum = (file: string, input = ''): string =>
  execFileSync('sha256sum', [file], { input, encoding: 'utf8' }).split(' ')[0] ?? '';

/**
 * The GOMODCACHE key of a module on the cache tests' runner (Linux, X64), as README gives it:
 * `{prefix}-gomod-{OS}-{ARCH}-{hash of the module path}-{hash of go.sum}-{commit time}`, the
 * hashes the first 8 and 16 hex digits of sha256. Built from Go's and sha256sum's answers, not
 * from src/cache/keys.ts, whose key the test checks.
 */
async function modulesKey(tc: Toolchain, dir: string, commitSeconds: number): Promise<string> {
  const { stdout } = await execFileAsync(tc.go, ['list', '-m'], {
    cwd: dir,
    env: goEnv(tc, { GOPROXY: 'off' }),
  });
  const moduleHash = sha256sum('-', stdout.trim()).slice(0, 8);
  const sumHash = sha256sum(path.join(dir, 'go.sum')).slice(0, 16);
  return `go-build-matrix-gomod-Linux-X64-${moduleHash}-${sumHash}-${commitSeconds}`;
}

const TARGETS = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm/7',
  'windows/amd64',
  'darwin/arm64',
  'freebsd/amd64',
];

describe.each<Program>([FZF, GUM])('$name $version from the module proxy', (program) => {
  let dir: string;
  beforeAll(async () => {
    dir = await checkOut(toolchain('1.26'), program);
  });

  // The big program (about 2.5 min of cold compiles per toolchain on two cores) with the newest Go
  // only; the small one with both that users run.
  it.each<Release>(program === GUM ? ['1.27'] : ['1.26', '1.27'])(
    'Go %s: six targets built and verified, each recording the pinned dependencies it links',
    async (release) => {
      const tc = toolchain(release);
      const env = { GOMODCACHE: SUITE_GOMODCACHE };
      const run = await build(tc, { targets: TARGETS.join(' '), 'working-directory': dir }, env);
      console.log(
        `${program.name} ${program.version}, ${run.manifest.go.version}: ${TARGETS.length} targets in ${run.manifest.buildPhaseSeconds} s (${run.manifest.artifacts.map((a) => `${a.target} ${a.buildSeconds} s`).join(', ')})`,
      );
      expect(run.manifest.artifacts.map((a) => [a.target, a.status, a.verify?.ok, a.error])).toEqual(
        TARGETS.map((t) => [t, 'ok', true, null]),
      );
      expect(
        run.log.lines.filter((l) => l.message.startsWith('Downloading module dependencies')),
      ).toHaveLength(1);

      const facts = await moduleFacts(tc, dir, env);
      for (const artifact of run.manifest.artifacts) {
        const recorded = await recordedDependencies(tc, path.join('/', artifact.path ?? ''));
        const linked = await linkedModules(tc, dir, program.package, { ...env, ...artifact.env });
        expect([artifact.target, recorded.map((d) => d.path)]).toEqual([artifact.target, linked]);
        expect(recorded.length).toBeGreaterThanOrEqual(program === GUM ? 40 : 5);
        for (const dep of recorded) {
          expect([artifact.target, dep]).toEqual([
            artifact.target,
            {
              path: dep.path,
              version: facts.selected.get(dep.path),
              sum: facts.sums.get(`${dep.path} ${dep.version}`),
            },
          ]);
        }
        // The project's own build-info reader saw the same modules as Go.
        expect(artifact.verify?.buildinfo).toMatchObject({ module: program.module, deps: recorded });
      }
    },
  );
});

describe('the module cache of a real program through the cache service', () => {
  let service: ResultsService;
  beforeAll(async () => {
    service = await startResultsService();
  });
  afterAll(async () => {
    await service.close();
  });

  /** Every file under `dir`, sorted: what the module cache holds. */
  const files = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

  it('is saved under its go.sum key; a fresh runner restores it and builds with GOPROXY=off', async () => {
    const tc = toolchain('1.26');
    const dir = await checkOut(tc, FZF);
    await downloadDependencies(tc, dir);
    const root = tempDir('modcache-runner');
    // The runner's own caches, not the suite's: saving prunes GOCACHE. Its first run downloads
    // the real modules from the suite's module cache, so a second suite run needs no network.
    const vm = { GOCACHE: path.join(root, 'gocache'), GOMODCACHE: path.join(root, 'gomodcache') };
    const inputs = { targets: 'linux/amd64', 'working-directory': dir, upload: 'false' };

    // One commit time for both runs (the checkout is no git repository): the same GOMODCACHE key.
    const commit = { SOURCE_DATE_EPOCH: '1700000000' };
    const firstEnv = { ...jobEnv(service.env, root, '1'), ...vm, ...commit, GOPROXY: SUITE_PROXY };
    const first = await build(tc, inputs, firstEnv);
    expect(first.manifest.artifacts.map((a) => a.status)).toEqual(['ok']);
    const key = await modulesKey(tc, dir, 1700000000);
    expect(service.cacheEntries().map((e) => e.key)).toContain(key);
    expect(first.log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(new RegExp(`^GOMODCACHE: saved .* as ${key}$`)),
    );
    const downloaded = files(vm.GOMODCACHE);
    expect(downloaded).toContainEqual(expect.stringMatching(/^github\.com\/gdamore\/tcell\/v2@v2\.8\.1\//));

    // A new VM: both caches empty; module files are read-only, go clean knows how to remove them.
    await execFileAsync(tc.go, ['clean', '-modcache'], { env: goEnv(tc, vm) });
    rmSync(vm.GOCACHE, { recursive: true, force: true });
    // Other link flags: the binary is built again rather than taken from the first run's delta.
    const second = await build(
      tc,
      { ...inputs, ldflags: '-s' },
      {
        ...jobEnv(service.env, root, '2'),
        ...vm,
        ...commit,
        GOPROXY: 'off',
      },
    );
    expect(second.manifest.artifacts.map((a) => a.status)).toEqual(['ok']);
    expect(second.manifest.cache?.hit).toBe('true');
    expect(second.log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(new RegExp(`^GOMODCACHE: restored .* from ${key} \\(its exact key\\)$`)),
    );
    // Nothing was fetched: the module cache is file for file what the first run saved.
    expect(files(vm.GOMODCACHE)).toEqual(downloaded);
  });
});
