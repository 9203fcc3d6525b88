// Cache families: a workflow whose matrix is 2 Go versions × 2 package sets, pushed to 2
// branches, runs a commit sequence (cold, source edit, dependency bump, target added, Go upgrade,
// no-op, source edit) on every leg: the real engine and `go build` of a small module, each leg on a
// fresh runner, the real @actions/cache client against the results-service emulation, cleanup
// through the GitHub API stand-in. After each step the GOCACHE entries left are exactly the newest
// whole entry of every leg that saved one (a leg that restored one of its inputs, its own or the
// default branch's, saves a delta on top of it), and every leg's newest delta is there: no leg ever
// deletes a sibling's (another Go version, another package set, another branch), and the Go
// version that left the matrix loses its entries and deltas at the first save after a whole run
// without it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from '../support/engine.js';
import { GitHubStandIn } from '../support/github-api.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import type { Release } from '../support/toolchains.js';
import { goEnv, toolchain } from '../support/toolchains.js';
import { jobEnv, tempDir, warnings } from './helpers.js';

const execFileAsync = promisify(execFile);

let svc: ResultsService;
let api: GitHubStandIn;
/** The test drives the service's clock: a commit, then its runs a minute later. */
let now = Date.parse('2026-03-01T00:00:00Z');
beforeAll(async () => {
  svc = await startResultsService({ clock: () => new Date(now) });
  api = new GitHubStandIn({
    caches: { entries: () => svc.cacheEntries(), remove: (id) => svc.removeCacheEntry(id) },
  });
  await api.start();
  await serveGreet('v1.0.0');
  await serveGreet('v1.1.0');
  writeFileSync(path.join(PROXY, 'example.com', 'greet', '@v', 'list'), 'v1.0.0\nv1.1.0\n');
  for (const name of ['a', 'b', 'c']) {
    mkdirSync(path.join(MODULE, 'cmd', name), { recursive: true });
    writeFileSync(
      path.join(MODULE, 'cmd', name, 'main.go'),
      `package main\n\nfunc main() { println("${name}") }\n`,
    );
  }
  writeFileSync(
    path.join(MODULE, 'cmd', 'a', 'main.go'),
    'package main\n\nimport "example.com/greet"\n\nfunc main() { println(greet.Hello) }\n',
  );
  writeFileSync(path.join(MODULE, 'go.mod'), 'module example.com/families\n\ngo 1.23\n');
  await requireGreet('v1.0.0');
});
afterAll(async () => {
  await api.stop();
  await svc.close();
});

const PREFIX = 'families';
const REFS = ['refs/heads/main', 'refs/heads/feature'] as const;
const PACKAGE_SETS = { a: './cmd/a', b: './cmd/b\n./cmd/c' } as const;
type PackageSet = keyof typeof PACKAGE_SETS;

interface Leg {
  ref: (typeof REFS)[number];
  go: Release;
  packages: PackageSet;
}

interface Step {
  name: string;
  go: readonly Release[];
  targets: string;
  /** What the commit changes in the module. */
  change: (module: string) => void | Promise<void>;
  /** Which legs have build output to save: all, those that had no entry yet, none (no Go changed). */
  saves: 'all' | 'new legs' | 'none';
}

// The module, checked out at the same path on every runner (GOCACHE entries depend on it); cmd/a
// uses a dependency a file:// proxy serves in two versions.
const ROOT = tempDir('families');
const MODULE = path.join(ROOT, 'module');
const PROXY = path.join(ROOT, 'proxy');
const PROXY_ENV = { GOPROXY: `file://${PROXY}`, GOSUMDB: 'off' };
// The same cache paths on every runner: an entry's version hashes them.
const HOME = path.join(tempDir('families-home'), 'home');

async function serveGreet(version: string): Promise<void> {
  const src = path.join(ROOT, 'src', version);
  const dir = path.join(src, `example.com/greet@${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'go.mod'), 'module example.com/greet\n\ngo 1.19\n');
  writeFileSync(path.join(dir, 'greet.go'), `package greet\n\nconst Hello = "hello ${version}"\n`);
  const versions = path.join(PROXY, 'example.com', 'greet', '@v');
  mkdirSync(versions, { recursive: true });
  writeFileSync(
    path.join(versions, `${version}.info`),
    `{"Version":"${version}","Time":"2024-01-01T00:00:00Z"}\n`,
  );
  writeFileSync(path.join(versions, `${version}.mod`), 'module example.com/greet\n\ngo 1.19\n');
  await execFileAsync(
    'zip',
    ['-q', '-X', '-r', path.join(versions, `${version}.zip`), `example.com/greet@${version}`],
    {
      cwd: src,
    },
  );
}

/** Requires `version` of the dependency; Go writes go.mod and go.sum. */
async function requireGreet(version: string): Promise<void> {
  const system = toolchain('1.26');
  await execFileAsync(system.go, ['get', `example.com/greet@${version}`], {
    cwd: MODULE,
    env: goEnv(system, { ...PROXY_ENV, GOMODCACHE: path.join(ROOT, 'seed-modcache') }),
  });
}

/** A source edit in both package sets (cmd/a, and cmd/b of the other set). */
const editBoth = (n: number) => (module: string) => {
  for (const dir of ['a', 'b']) {
    writeFileSync(path.join(module, 'cmd', dir, 'edit.go'), `package main\n\nconst edit = ${n}\n`);
  }
};

const SEQUENCE: Step[] = [
  { name: 'cold', go: ['1.23', '1.26'], targets: 'linux/amd64', change: () => undefined, saves: 'all' },
  { name: 'source edit', go: ['1.23', '1.26'], targets: 'linux/amd64', change: editBoth(1), saves: 'all' },
  {
    name: 'dependency bump',
    go: ['1.23', '1.26'],
    targets: 'linux/amd64',
    change: async (module) => {
      await requireGreet('v1.1.0');
      editBoth(2)(module);
    },
    saves: 'all',
  },
  {
    name: 'target added',
    go: ['1.23', '1.26'],
    targets: 'linux/amd64 linux/arm64',
    change: () => undefined,
    saves: 'all',
  },
  // The workflow's matrix changes, no Go does: only the new Go's legs have something to save.
  {
    name: 'Go upgrade',
    go: ['1.26', '1.27'],
    targets: 'linux/amd64 linux/arm64',
    change: () => undefined,
    saves: 'new legs',
  },
  {
    name: 'no-op',
    go: ['1.26', '1.27'],
    targets: 'linux/amd64 linux/arm64',
    change: (module) => writeFileSync(path.join(module, 'README'), 'docs only\n'),
    saves: 'none',
  },
  {
    name: 'source edit after the upgrade',
    go: ['1.26', '1.27'],
    targets: 'linux/amd64 linux/arm64',
    change: editBoth(3),
    saves: 'all',
  },
];

const legName = (leg: Leg) => `${leg.ref} go${leg.go} ${leg.packages}`;
let runId = 500;

/** One leg of one run on a fresh runner, through the engine. */
async function runLeg(leg: Leg, step: Step, run: number, commitSeconds: number) {
  rmSync(HOME, { recursive: true, force: true });
  // The feature branch's commits carry one change of its own in both package sets.
  for (const dir of ['a', 'b']) {
    const marker = path.join(MODULE, 'cmd', dir, 'branch.go');
    if (leg.ref === 'refs/heads/feature') writeFileSync(marker, 'package main\n\nconst branch = "feature"\n');
    else rmSync(marker, { force: true });
  }
  const root = tempDir('families-runner');
  const result = await build(
    toolchain(leg.go),
    {
      targets: step.targets,
      'working-directory': MODULE,
      package: PACKAGE_SETS[leg.packages],
      upload: 'false',
      'output-dir': path.join(root, 'out'),
      'cache-key-prefix': PREFIX,
      'github-token': api.token,
    },
    {
      ...jobEnv(svc.envFor(`run-${run}`, legName(leg), leg.ref), root, String(run)),
      GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
      GITHUB_REF: leg.ref,
      GITHUB_API_URL: api.url,
      GO_BUILD_MATRIX_API_RETRY_MS: '5',
      SOURCE_DATE_EPOCH: String(commitSeconds),
      GOCACHE: path.join(HOME, '.cache', 'go-build'),
      GOMODCACHE: path.join(HOME, 'go', 'pkg', 'mod'),
      ...PROXY_ENV,
    },
  );
  now += 10_000;
  return result;
}

/** The GOCACHE key (or delta key) a leg's run logged as saved; the test learns the package-set hashes from these. */
function savedKey(log: { lines: { message: string }[] }, what = 'GOCACHE'): string | undefined {
  const saved = new RegExp(`^${what}: saved .* as (\\S+)$`);
  return log.lines.map((l) => saved.exec(l.message)?.[1]).find(Boolean);
}

/** What a leg saved last: its key as it logged it, with the leg's Go version. */
interface Saved {
  ref: string;
  key: string;
  go: string;
}

describe('cache families: 2 Go versions × 2 package sets × 2 branches through a commit sequence', () => {
  it('every leg keeps its own newest entry, deletes nothing of another leg, and one entry per leg is left', async () => {
    /** The newest entry every leg saved so far, by leg name. */
    const newest = new Map<string, Saved>();
    /** The newest delta every leg saved so far, by leg name. */
    const newestDelta = new Map<string, Saved>();
    /** The Go version each release resolves to, as the legs' manifests record it. */
    const goVersion = new Map<Release, string>();
    let gomodBefore: string[] = [];
    for (const [index, step] of SEQUENCE.entries()) {
      await step.change(MODULE);
      now += 60_000;
      const commitSeconds = Math.floor(now / 1000);
      now += 60_000;
      // Each branch's push starts one run; its legs finish in an order that changes every step.
      const legs = REFS.flatMap((ref) => {
        const run = ++runId;
        const ofRef = step.go.flatMap((go) =>
          (Object.keys(PACKAGE_SETS) as PackageSet[]).map((packages) => ({
            leg: { ref, go, packages },
            run,
          })),
        );
        return index % 2 === 0 ? ofRef : ofRef.reverse();
      });
      for (const { leg, run } of legs) {
        const result = await runLeg(leg, step, run, commitSeconds);
        const statuses = result.manifest.artifacts.map((a) => a.status);
        expect([step.name, legName(leg), statuses.every((s) => s === 'ok'), warnings(result.log)]).toEqual([
          step.name,
          legName(leg),
          true,
          [],
        ]);
        goVersion.set(leg.go, result.manifest.go.version);
        const key = savedKey(result.log);
        const delta = savedKey(result.log, 'GOCACHE delta');
        if (step.saves === 'none' || (step.saves === 'new legs' && newestDelta.has(legName(leg)))) {
          expect([step.name, legName(leg), key, delta]).toEqual([
            step.name,
            legName(leg),
            undefined,
            undefined,
          ]);
          continue;
        }
        const version = result.manifest.go.version;
        // A delta of this run, on top of the entry the leg restored or saved.
        expect([step.name, legName(leg), delta?.endsWith(`-${run}-1`)]).toEqual([
          step.name,
          legName(leg),
          true,
        ]);
        newestDelta.set(legName(leg), { ref: leg.ref, key: delta ?? '', go: version });
        // A leg that restored an entry of its own inputs (its own, or the default branch's) saves only the delta.
        if (key === undefined) continue;
        // Else its own entry: of its Go version and this run.
        const own = key?.includes(`-${version}-`) && key.endsWith(`-${run}-1`);
        expect([step.name, legName(leg), key, own]).toEqual([step.name, legName(leg), key, true]);
        newest.set(legName(leg), { ref: leg.ref, key: key ?? '', go: version });
      }
      // Go 1.23 left the matrix at the upgrade: its entries stay until a whole run without it came
      // between (the upgrade run itself), at the next save of the other legs (the no-op saves
      // nothing).
      const leftAt = SEQUENCE.findIndex((s) => !s.go.includes('1.23'));
      const nextSave = SEQUENCE.findIndex((s, i) => i > leftAt && s.saves === 'all');
      const expected = [...newest.values()].filter((e) => e.go !== goVersion.get('1.23') || index < nextSave);

      const stored = svc.cacheEntries().filter((e) => e.finalized && e.key.startsWith(`${PREFIX}-`));
      const gocache = stored
        .filter((e) => e.key.startsWith(`${PREFIX}-gocache-Linux`))
        .map((e) => `${e.ref} ${e.key}`);
      expect([step.name, gocache.sort()]).toEqual([
        step.name,
        expected.map((e) => `${e.ref} ${e.key}`).sort(),
      ]);
      // Every leg's newest delta is there (those of the Go version that left go with its entries).
      const deltas = stored
        .filter((e) => e.key.startsWith(`${PREFIX}-gocache-delta-`))
        .map((e) => `${e.ref} ${e.key}`);
      const expectedDeltas = [...newestDelta.values()].filter(
        (e) => e.go !== goVersion.get('1.23') || index < nextSave,
      );
      expect([step.name, expectedDeltas.filter((e) => !deltas.includes(`${e.ref} ${e.key}`))]).toEqual([
        step.name,
        [],
      ]);
      // One module entry, the default branch's (the other branch restores it): the newest go.sum.
      const gomod = stored
        .filter((e) => e.key.startsWith(`${PREFIX}-gomod-`))
        .map((e) => `${e.ref} ${e.key}`);
      expect([step.name, gomod.length, gomod[0]?.startsWith('refs/heads/main ')]).toEqual([
        step.name,
        1,
        true,
      ]);
      if (step.name === 'dependency bump') expect(gomod).not.toEqual(gomodBefore);
      else if (index > 0) expect(gomod).toEqual(gomodBefore);
      gomodBefore = gomod;
    }
    // Every leg (2 branches × 3 Go versions × 2 package sets) had its own line of deltas; the
    // default branch's legs saved the whole entries, which the feature branch's legs build on.
    expect(new Set([...newestDelta.values()].map((e) => e.key)).size).toBe(12);
    expect(newestDelta.size).toBe(12);
    expect(newest.size).toBe(6);
    expect([...newest.values()].every((e) => e.ref === 'refs/heads/main')).toBe(true);
  }, 1_200_000);
});
