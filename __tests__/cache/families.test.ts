// Cache families: a workflow whose matrix is 2 Go versions × 2 package sets, pushed to 2
// branches, runs a commit sequence (cold, source edit, dependency bump, target added, Go upgrade,
// no-op, source edit) on every leg, each leg on a fresh runner, with the real @actions/cache client
// against the results-service emulation and cleanup through the GitHub API stand-in. After each
// step the entries left are exactly the newest of every leg: no leg ever deletes a sibling's (another
// Go version, another package set, another branch), and the Go version that left the matrix loses
// its entries at the first save after a whole run without it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheRequest } from '../../src/cache/index.js';
import { restoreCaches, saveCaches } from '../../src/cache/index.js';
import { MemoryLogger } from '../../src/log.js';
import { GitHubStandIn } from '../support/github-api.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { jobEnv, tempDir, warnings, writeGoEntry } from './helpers.js';

let svc: ResultsService;
let api: GitHubStandIn;
/** The test drives time: a commit, then its runs a minute later, one leg after another. */
let now = Date.parse('2026-03-01T00:00:00Z');
beforeAll(async () => {
  svc = await startResultsService({ clock: () => new Date(now) });
  api = new GitHubStandIn({
    caches: { entries: () => svc.cacheEntries(), remove: (id) => svc.removeCacheEntry(id) },
  });
  await api.start();
});
afterAll(async () => {
  await api.stop();
  await svc.close();
});

const PREFIX = 'families';
const REFS = ['refs/heads/main', 'refs/heads/feature'] as const;
const PACKAGE_SETS = { a: ['./cmd/a'], b: ['./cmd/b', './cmd/c'] } as const;
type PackageSet = keyof typeof PACKAGE_SETS;

interface Leg {
  ref: (typeof REFS)[number];
  go: string;
  packages: PackageSet;
}

interface Step {
  name: string;
  go: readonly string[];
  targets: readonly string[];
  goSum: string;
  /** Build outputs each leg adds (0: nothing changed). */
  newOutputs: number;
}

const moduleDir = path.join(tempDir('families'), 'module');
mkdirSync(moduleDir, { recursive: true });
writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/app\n\ngo 1.25\n');

const legName = (leg: Leg) => `${leg.ref} ${leg.go} ${leg.packages}`;
let runId = 500;

/** One leg of one run on a fresh runner: restore, "build", save (and clean up). */
async function runLeg(leg: Leg, step: Step, run: number, commitSeconds: number): Promise<MemoryLogger> {
  const root = tempDir('families-runner');
  const packages = PACKAGE_SETS[leg.packages];
  const req: CacheRequest = {
    mode: 'true',
    keyPrefix: PREFIX,
    env: {
      ...jobEnv(svc.envFor(`run-${run}`, legName(leg), leg.ref), root, String(run)),
      GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
      GITHUB_REF: leg.ref,
      GITHUB_API_URL: api.url,
    },
    goVersion: leg.go,
    // The same paths on every runner (an entry's version hashes them).
    gocache: '/tmp/gbm-families-home/.cache/go-build',
    gomodcache: '/tmp/gbm-families-home/go/pkg/mod',
    moduleDir,
    commitSeconds,
    packages,
    // What the engine passes: targets, module, packages, flags.
    compileInputs: [
      ...step.targets,
      'module=example.com/app',
      `packages=${[...packages].sort().join(',')}`,
      'CGO_ENABLED=0',
    ],
    timeoutMs: 20_000,
    cleanupToken: api.token,
    apiRetryMs: 5,
  };
  rmSync('/tmp/gbm-families-home', { recursive: true, force: true });
  writeFileSync(path.join(moduleDir, 'go.sum'), step.goSum);
  const log = new MemoryLogger();
  const restored = await restoreCaches(req, log);
  mkdirSync(path.join(req.gomodcache, 'cache', 'download'), { recursive: true });
  writeFileSync(path.join(req.gomodcache, 'cache', 'download', 'dep.zip'), step.goSum);
  for (let i = 0; i < step.newOutputs; i++) writeGoEntry(req.gocache);
  await saveCaches(req, restored, log);
  now += 10_000;
  return log;
}

/** The GOCACHE key a leg's run logged as saved; the test learns the package-set hashes from these. */
function savedKey(log: MemoryLogger): string | undefined {
  return log.lines.map((l) => /^GOCACHE: saved .* as (\S+)$/.exec(l.message)?.[1]).find(Boolean);
}

const SEQUENCE: Step[] = [
  {
    name: 'cold',
    go: ['go1.25.5', 'go1.26.8'],
    targets: ['linux/amd64 GOAMD64=v1'],
    goSum: 'x v1 h1:a=\n',
    newOutputs: 3,
  },
  {
    name: 'source edit',
    go: ['go1.25.5', 'go1.26.8'],
    targets: ['linux/amd64 GOAMD64=v1'],
    goSum: 'x v1 h1:a=\n',
    newOutputs: 1,
  },
  {
    name: 'dependency bump',
    go: ['go1.25.5', 'go1.26.8'],
    targets: ['linux/amd64 GOAMD64=v1'],
    goSum: 'x v2 h1:b=\n',
    newOutputs: 2,
  },
  {
    name: 'target added',
    go: ['go1.25.5', 'go1.26.8'],
    targets: ['linux/amd64 GOAMD64=v1', 'windows/arm64'],
    goSum: 'x v2 h1:b=\n',
    newOutputs: 2,
  },
  {
    name: 'Go upgrade',
    go: ['go1.26.8', 'go1.27.3'],
    targets: ['linux/amd64 GOAMD64=v1', 'windows/arm64'],
    goSum: 'x v2 h1:b=\n',
    newOutputs: 2,
  },
  {
    name: 'no-op',
    go: ['go1.26.8', 'go1.27.3'],
    targets: ['linux/amd64 GOAMD64=v1', 'windows/arm64'],
    goSum: 'x v2 h1:b=\n',
    newOutputs: 0,
  },
  {
    name: 'source edit after the upgrade',
    go: ['go1.26.8', 'go1.27.3'],
    targets: ['linux/amd64 GOAMD64=v1', 'windows/arm64'],
    goSum: 'x v2 h1:b=\n',
    newOutputs: 1,
  },
];

interface Expected {
  ref: string;
  go: string;
  packages: PackageSet;
  run: number;
}

describe('cache families: 2 Go versions × 2 package sets × 2 branches through a commit sequence', () => {
  it('every leg keeps its own newest entry, deletes nothing of another leg, and one entry per leg is left', async () => {
    /** The package-set hash each leg's keys carry, learned from what the legs logged. */
    const packagesHash = new Map<string, PackageSet>();
    /** The newest saved run of every leg so far, by leg name. */
    const newest = new Map<string, Expected>();
    let gomodBefore: string[] = [];
    for (const [index, step] of SEQUENCE.entries()) {
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
        const log = await runLeg(leg, step, run, commitSeconds);
        expect([step.name, legName(leg), warnings(log)]).toEqual([step.name, legName(leg), []]);
        const key = savedKey(log);
        if (step.newOutputs === 0) {
          expect([step.name, legName(leg), key]).toEqual([step.name, legName(leg), undefined]);
          continue;
        }
        const parts = new RegExp(
          `^${PREFIX}-gocache-Linux-X64-${leg.go}-([0-9a-f]{8})-[0-9a-f]{16}-${commitSeconds}-${run}-1$`,
        ).exec(key ?? '');
        expect([step.name, legName(leg), key, parts !== null]).toEqual([step.name, legName(leg), key, true]);
        const hash = parts?.[1] ?? '';
        expect([hash, packagesHash.get(hash) ?? leg.packages]).toEqual([hash, leg.packages]);
        packagesHash.set(hash, leg.packages);
        newest.set(legName(leg), { ref: leg.ref, go: leg.go, packages: leg.packages, run });
      }
      // The Go version that left the matrix keeps its entries until a whole run without it
      // came between (the upgrade run itself, then the no-op that saved nothing).
      const leftAt = SEQUENCE.findIndex((s) => !s.go.includes('go1.25.5'));
      const lastSave = SEQUENCE.findIndex((s, i) => i > leftAt && s.newOutputs > 0);
      const expected = [...newest.values()].filter((e) => e.go !== 'go1.25.5' || index < lastSave);

      const stored = svc.cacheEntries().filter((e) => e.finalized && e.key.startsWith(`${PREFIX}-`));
      const gocache = stored
        .filter((e) => e.key.startsWith(`${PREFIX}-gocache-`))
        .map((e) => {
          const m = /^families-gocache-Linux-X64-(go[\d.]+)-([0-9a-f]{8})-[0-9a-f]{16}-\d+-(\d+)-1$/.exec(
            e.key,
          );
          return { ref: e.ref, go: m?.[1], packages: packagesHash.get(m?.[2] ?? ''), run: Number(m?.[3]) };
        });
      const order = (e: { ref: string; go?: string; packages?: string }) => `${e.ref} ${e.go} ${e.packages}`;
      expect([step.name, [...gocache].sort((x, y) => order(x).localeCompare(order(y)))]).toEqual([
        step.name,
        [...expected].sort((x, y) => order(x).localeCompare(order(y))),
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
    // Two package sets, each one line of entries across Go versions and branches.
    expect([...packagesHash.values()].sort()).toEqual(['a', 'b']);
    expect(newest.size).toBe(12);
  }, 240_000);
});
