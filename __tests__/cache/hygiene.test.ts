// Cache hygiene: after each save, the real @actions/cache client has stored a new entry in the
// results-service emulation, and the REST client deletes, through the GitHub API stand-in (which
// lists and deletes the same entries), exactly what the new entry supersedes — through a commit
// sequence: cold, source edit, no-op, dependency bump, target added, Go upgrade, another branch,
// another module of the repository, a token without actions: write, cleanup off; a target added
// replaces the smaller set's entry, a target removed or other flags keep it.
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
/** The test's clock: each run is a commit made 30 s before the run, the next one a minute later. */
let now = Date.parse('2026-01-01T00:00:00Z');
beforeAll(async () => {
  svc = await startResultsService({ clock: () => new Date(now) });
  api = new GitHubStandIn({
    caches: {
      entries: () => svc.cacheEntries(),
      remove: (id) => svc.removeCacheEntry(id),
    },
  });
  await api.start();
});
afterAll(async () => {
  await api.stop();
  await svc.close();
});

interface Step {
  /** A fresh runner for each run, as on GitHub. */
  root: string;
  moduleDir: string;
}

const PREFIX = 'hygiene';
const RUNNER = tempDir('hygiene-runner');
const RUNNER_GOCACHE = path.join(RUNNER, 'go-build');
const RUNNER_GOMODCACHE = path.join(RUNNER, 'mod');
let runId = 2000;

function workspace(module = 'example.com/app', goSum = 'example.com/dep v1.0.0 h1:abc=\n'): Step {
  const root = tempDir('hygiene');
  const moduleDir = path.join(root, 'module');
  mkdirSync(moduleDir, { recursive: true });
  writeFileSync(path.join(moduleDir, 'go.mod'), `module ${module}\n\ngo 1.23\n`);
  writeFileSync(path.join(moduleDir, 'go.sum'), goSum);
  return { root, moduleDir };
}

interface RunOptions {
  ref?: string;
  targets?: string[];
  goVersion?: string;
  module?: string;
  /** Build outputs the run adds to GOCACHE (0: a no-op re-run). */
  newOutputs?: number;
  token?: string | null;
  /** Runs between the builds and the save, with GOCACHE's path. */
  beforeSave?: (gocache: string) => void;
  /** The commit's time; by default the clock's, 30 s before the run. */
  commitSeconds?: number;
  mode?: CacheRequest['mode'];
  /** Another key prefix keeps a test's entries apart from the sequence's. */
  prefix?: string;
  /** GITHUB_RUN_ID; by default the next one. */
  runId?: number;
  /** Extra job env (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH…). */
  env?: Record<string, string>;
}

async function ciRun(step: Step, o: RunOptions = {}): Promise<MemoryLogger> {
  const id = String(o.runId ?? ++runId);
  const ref = o.ref ?? 'refs/heads/main';
  const commitSeconds = o.commitSeconds ?? Math.floor(now / 1000);
  now += 30_000;
  const req: CacheRequest = {
    mode: o.mode ?? 'true',
    keyPrefix: o.prefix ?? PREFIX,
    env: {
      ...jobEnv(svc.envFor(`run-${id}`, 'build', ref), step.root, id),
      GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
      GITHUB_REF: ref,
      GITHUB_API_URL: api.url,
      ...o.env,
    },
    goVersion: o.goVersion ?? 'go1.26.7',
    gocache: RUNNER_GOCACHE,
    gomodcache: RUNNER_GOMODCACHE,
    moduleDir: step.moduleDir,
    commitSeconds,
    packages: ['.'],
    compileInputs: [
      ...(o.targets ?? ['linux/amd64 GOAMD64=v1', 'windows/amd64 GOAMD64=v1']),
      `module=${o.module ?? 'example.com/app'}`,
      'CGO_ENABLED=0',
    ],
    timeoutMs: 20_000,
    cleanupToken: o.token === undefined ? api.token : o.token,
    apiRetryMs: 5,
  };
  // Every run on a fresh runner: the same paths (the version of an entry hashes them), empty.
  rmSync(RUNNER_GOCACHE, { recursive: true, force: true });
  rmSync(RUNNER_GOMODCACHE, { recursive: true, force: true });
  const log = new MemoryLogger();
  const restored = await restoreCaches(req, log);
  // What go build and go mod download would leave.
  mkdirSync(path.join(req.gomodcache, 'cache', 'download'), { recursive: true });
  writeFileSync(path.join(req.gomodcache, 'cache', 'download', 'dep.zip'), 'module bytes');
  for (let i = 0; i < (o.newOutputs ?? 3); i++) writeGoEntry(req.gocache);
  o.beforeSave?.(req.gocache);
  await saveCaches(req, restored, log);
  now += 30_000;
  return log;
}

/** The stored entries of this test, as `kind ref go-version-or-deps` lines, oldest first. */
function entries(prefix = PREFIX): string[] {
  return svc
    .cacheEntries()
    .filter((e) => e.finalized && e.key.startsWith(`${prefix}-`))
    .map((e) => `${e.ref} ${e.key.replace(`${prefix}-`, '')}`);
}

const gomod = /^refs\/heads\/main gomod-Linux-X64-[0-9a-f]{8}-[0-9a-f]{16}-\d+$/;
const gocache = (ref: string, go: string, run: number) =>
  new RegExp(`^${ref} gocache-Linux-X64-${go}-[0-9a-f]{8}-[0-9a-f]{16}-\\d+-${run}-1$`);

/** An entry of one run, whatever else its key holds. */
const ofRun = (ref: string, go: string, run: number) =>
  new RegExp(`^${ref} gocache-Linux-X64-${go}-.*-${run}-1$`);

describe('cache-cleanup through a commit sequence', () => {
  /** One repository's history: its workspace, and a key prefix of its own. */
  interface History {
    app: Step;
    prefix: string;
    run: (o?: RunOptions) => Promise<MemoryLogger>;
    entries: () => string[];
  }
  let histories = 0;
  const steps: ((h: History) => Promise<void>)[] = [];
  /**
   * A step of the sequence and its test. The test replays the steps before it on a history of
   * its own, so it passes alone (jest -t) and in any order.
   */
  function step(name: string, fn: (h: History) => Promise<void>): void {
    const earlier = [...steps];
    steps.push(fn);
    it(name, async () => {
      const app = workspace();
      const prefix = `${PREFIX}${++histories}`;
      const h: History = {
        app,
        prefix,
        run: (o = {}) => ciRun(app, { prefix, ...o }),
        entries: () => entries(prefix),
      };
      for (const s of earlier) await s(h);
      await fn(h);
    });
  }

  step('cold: saves the modules and the build cache, deletes nothing', async (h) => {
    const log = await h.run();
    expect(h.entries()).toEqual([
      expect.stringMatching(gomod),
      expect.stringMatching(gocache('refs/heads/main', 'go1.26.7', runId)),
    ]);
    expect(log.lines.some((l) => l.message.startsWith('Cache: deleted'))).toBe(false);
    expect(warnings(log)).toEqual([]);
  });

  step('a source edit: the new GOCACHE entry replaces the previous one', async (h) => {
    const before = h.entries();
    const log = await h.run();
    expect(h.entries()).toEqual([
      before[0],
      expect.stringMatching(gocache('refs/heads/main', 'go1.26.7', runId)),
    ]);
    expect(log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Cache: deleted 1 superseded entry of refs/heads/main \\([\\d.]+ \\w+\\): ${h.prefix}-gocache-Linux-X64-go1\\.26\\.7-[0-9a-f]{8}-[0-9a-f]{16}-\\d+-${runId - 1}-1$`,
        ),
      ),
    );
  });

  step('a no-op re-run saves nothing and so deletes nothing', async (h) => {
    const before = h.entries();
    const requests = api.requests.length;
    const log = await h.run({ newOutputs: 0 });
    expect(h.entries()).toEqual(before);
    expect(api.requests).toHaveLength(requests);
    expect(warnings(log)).toEqual([]);
  });

  step('a dependency bump: the new go.sum entry and GOCACHE entry replace the old ones', async (h) => {
    writeFileSync(path.join(h.app.moduleDir, 'go.sum'), 'example.com/dep v1.1.0 h1:def=\n');
    const before = h.entries();
    await h.run();
    const after = h.entries();
    expect(after).toHaveLength(2);
    expect(after[0]).toMatch(gomod);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).toMatch(gocache('refs/heads/main', 'go1.26.7', runId));
  });

  step(
    'a target added: the grown set’s entry replaces the smaller set’s entry it was restored from',
    async (h) => {
      const [mods, smaller] = h.entries();
      const log = await h.run({
        targets: ['linux/amd64 GOAMD64=v1', 'windows/amd64 GOAMD64=v1', 'darwin/arm64'],
      });
      expect(h.entries()).toEqual([
        mods,
        expect.stringMatching(gocache('refs/heads/main', 'go1.26.7', runId)),
      ]);
      const smallerKey = `${h.prefix}-${smaller?.split(' ')[1]}`;
      expect(log.lines.map((l) => l.message)).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^Cache: deleted 1 superseded entry of refs/heads/main \\([\\d.]+ \\w+\\): ${smallerKey}$`,
          ),
        ),
      );
    },
  );

  step(
    'a target removed, or other flags: the new set gets its own entry; the one it was restored from is kept',
    async (h) => {
      const [mods, grown] = h.entries();
      await h.run({ targets: ['linux/amd64 GOAMD64=v1'] });
      const shrunk = h.entries();
      expect(shrunk).toEqual([
        mods,
        grown,
        expect.stringMatching(gocache('refs/heads/main', 'go1.26.7', runId)),
      ]);
      // Other variant: the set it was restored from is not contained in it.
      await h.run({ targets: ['linux/amd64 GOAMD64=v3', 'windows/amd64 GOAMD64=v1', 'darwin/arm64'] });
      expect(h.entries()).toEqual([
        ...shrunk,
        expect.stringMatching(gocache('refs/heads/main', 'go1.26.7', runId)),
      ]);
    },
  );

  it('an entry restored without the record of its inputs (saved by an earlier version) is kept', async () => {
    const prefix = 'norecord';
    const other = workspace();
    const targets = ['linux/amd64 GOAMD64=v1', 'windows/amd64 GOAMD64=v1'];
    // Saved without the record, as by an earlier version: a file where its directory would go
    // makes the write fail.
    await ciRun(other, {
      prefix,
      targets,
      beforeSave: (dir) => {
        mkdirSync(path.join(dir, 'go-build-matrix'), { recursive: true });
        writeFileSync(path.join(dir, 'go-build-matrix', 'inputs'), '');
      },
    });
    const before = entries(prefix);
    // A wider set restores it: nothing says it holds less than the new entry, so it stays.
    const log = await ciRun(other, { prefix, targets: [...targets, 'darwin/arm64'] });
    expect(log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^GOCACHE: restored .* from ${prefix}-gocache-.*-${runId - 1}-1 \\(a restore key\\)$`),
      ),
    );
    expect(entries(prefix)).toEqual([
      ...before,
      expect.stringMatching(gocache('refs/heads/main', 'go1.26.7', runId)),
    ]);
  });

  step(
    'a Go patch upgrade: the old Go’s entry of a target set goes at that set’s first save after a run without it',
    async (h) => {
      const before = h.entries();
      // The default set's go1.26.7 entry went when a target was added: nothing to replace yet.
      await h.run({ goVersion: 'go1.26.8' });
      const upgraded = h.entries();
      expect(upgraded).toEqual([
        ...before,
        expect.stringMatching(gocache('refs/heads/main', 'go1.26.8', runId)),
      ]);
      // The one-target set's first go1.26.8 run keeps its go1.26.7 entry (the third): as far as
      // this run can tell, a go1.26.7 leg may still be running beside it.
      await h.run({ goVersion: 'go1.26.8', targets: ['linux/amd64 GOAMD64=v1'] });
      const first = runId;
      expect(h.entries()).toEqual([
        ...upgraded,
        expect.stringMatching(gocache('refs/heads/main', 'go1.26.8', first)),
      ]);
      // Its next save comes after a whole run without go1.26.7: that entry goes with the older go1.26.8 one.
      await h.run({ goVersion: 'go1.26.8', targets: ['linux/amd64 GOAMD64=v1'] });
      expect(h.entries()).toEqual([
        ...upgraded.filter((_, i) => i !== 2),
        expect.stringMatching(gocache('refs/heads/main', 'go1.26.8', runId)),
      ]);
    },
  );

  step('another branch keeps its own entries and never deletes the default branch’s', async (h) => {
    const main = h.entries();
    await h.run({ ref: 'refs/heads/feature', goVersion: 'go1.26.8' });
    const feature = runId;
    await h.run({ ref: 'refs/heads/feature', goVersion: 'go1.26.8' });
    const after = h.entries();
    expect(after.slice(0, main.length)).toEqual(main);
    // Modules restored from main are not saved again; the second feature run replaced the first.
    expect(after.slice(main.length)).toEqual([
      expect.stringMatching(gocache('refs/heads/feature', 'go1.26.8', runId)),
    ]);
    expect(after.join('\n')).not.toContain(`-${feature}-1`);
  });

  step('another module of the repository keeps its entries apart', async (h) => {
    const before = h.entries();
    const other = workspace('example.com/tool');
    await ciRun(other, { prefix: h.prefix, module: 'example.com/tool', goVersion: 'go1.26.8' });
    const after = h.entries();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 2);
  });

  step(
    'a token without actions: write: one warning naming it; the entries stay for GitHub to evict',
    async (h) => {
      api.denyWrites = true;
      try {
        const before = h.entries().length;
        const log = await h.run({ goVersion: 'go1.26.8' });
        expect(h.entries()).toHaveLength(before + 1);
        expect(warnings(log)).toEqual([
          expect.stringMatching(
            /^Superseded cache entries were not deleted: GitHub refused with 403 \(Resource not accessible by integration\)\. Grant the job 'permissions: actions: write' to keep one entry per target set and branch, or set cache-cleanup: false;/,
          ),
        ]);
      } finally {
        api.denyWrites = false;
      }
    },
  );

  step("cache-cleanup 'false' (no token for it) makes no API request", async (h) => {
    const requests = api.requests.length;
    const before = h.entries().length;
    await h.run({ goVersion: 'go1.26.8', token: null });
    expect(api.requests).toHaveLength(requests);
    expect(h.entries()).toHaveLength(before + 1);
    // The next run with cleanup deletes every older entry of that set at once: the Go upgrade's,
    // the one the refused run left and this one.
    const log = await h.run({ goVersion: 'go1.26.8' });
    expect(log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^Cache: deleted 3 superseded entries/),
    );
    expect(h.entries()).toHaveLength(before - 1);
  });
});

describe('cleanup orders runs by commit, never by when a save landed', () => {
  const gocacheOf = (lines: string[]) => lines.filter((l) => l.includes(' gocache-'));

  it('a run of an older commit that saves later never deletes the newer commit’s entry', async () => {
    const prefix = 'late';
    const app = workspace();
    const older = Math.floor(now / 1000);
    now += 60_000;
    await ciRun(app, { prefix });
    const newer = runId;
    // The older commit's run (queued, or re-run) saves after it, with a higher run id.
    await ciRun(app, { prefix, commitSeconds: older });
    const late = runId;
    expect(gocacheOf(entries(prefix))).toEqual([
      expect.stringMatching(ofRun('refs/heads/main', 'go1.26.7', newer)),
      expect.stringMatching(ofRun('refs/heads/main', 'go1.26.7', late)),
    ]);
    // The next commit's save replaces both.
    await ciRun(app, { prefix });
    expect(gocacheOf(entries(prefix))).toEqual([
      expect.stringMatching(ofRun('refs/heads/main', 'go1.26.7', runId)),
    ]);
  });

  it('a cache list that lags one save never makes cleanup delete a newer concurrent save', async () => {
    const prefix = 'lag';
    const app = workspace();
    await ciRun(app, { prefix });
    now += 60_000;
    // Two runs of one commit: the newer one (higher run id) saves first.
    const commitSeconds = Math.floor(now / 1000);
    const first = ++runId;
    const second = ++runId;
    await ciRun(app, { prefix, commitSeconds, runId: second });
    api.cacheListLag = 1;
    try {
      // The older run's own save is not listed yet; the newer one is.
      const log = await ciRun(app, { prefix, commitSeconds, runId: first });
      // The newer run already deleted the oldest entry: nothing is left for this one to delete.
      expect(log.lines.filter((l) => l.message.startsWith('Cache: deleted'))).toEqual([]);
    } finally {
      api.cacheListLag = 0;
    }
    expect(gocacheOf(entries(prefix))).toEqual([
      expect.stringMatching(ofRun('refs/heads/main', 'go1.26.7', second)),
      expect.stringMatching(ofRun('refs/heads/main', 'go1.26.7', first)),
    ]);
  });
});

describe('runs whose saves nobody could use, or whose token cannot delete', () => {
  it('a tag run restores the branch’s entries and saves none, unless cache: always', async () => {
    const prefix = 'tag';
    const app = workspace();
    await ciRun(app, { prefix });
    const main = entries(prefix);
    const log = await ciRun(app, { prefix, ref: 'refs/tags/v1.2.0' });
    expect(entries(prefix)).toEqual(main);
    const messages = log.lines.map((l) => l.message);
    expect(messages).toContainEqual(expect.stringMatching(/^GOCACHE: restored .* \(a restore key\)$/));
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^A tag run \(refs\/tags\/v1\.2\.0\) does not save GOCACHE\/GOMODCACHE: entries saved under a tag can be restored by no other ref \(cache: always saves them\)$/,
      ),
    );
    expect(warnings(log)).toEqual([]);
    await ciRun(app, { prefix, ref: 'refs/tags/v1.2.0', mode: 'always' });
    expect(entries(prefix)).toEqual([
      ...main,
      expect.stringMatching(ofRun('refs/tags/v1.2.0', 'go1.26.7', runId)),
    ]);
  });

  it('a pull request from a fork saves, does not try to clean up, and says so once without a warning', async () => {
    const prefix = 'fork';
    const app = workspace();
    const event = path.join(app.root, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ pull_request: { number: 7, head: { repo: { full_name: 'someone/hello' } } } }),
    );
    const pr = {
      ref: 'refs/pull/7/merge',
      prefix,
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
    };
    await ciRun(app, pr);
    // A fork's token is read-only: deletes would answer 403.
    api.denyWrites = true;
    try {
      const requests = api.requests.length;
      const log = await ciRun(app, pr);
      expect(entries(prefix)).toEqual([
        expect.stringMatching(/^refs\/pull\/7\/merge gomod-/),
        expect.stringMatching(ofRun('refs/pull/7/merge', 'go1.26.7', runId - 1)),
        expect.stringMatching(ofRun('refs/pull/7/merge', 'go1.26.7', runId)),
      ]);
      expect(api.requests).toHaveLength(requests);
      expect(warnings(log)).toEqual([]);
      expect(log.lines.filter((l) => l.message.startsWith('Cache cleanup skipped'))).toEqual([
        expect.objectContaining({
          level: 'info',
          message:
            'Cache cleanup skipped: this pull request comes from a fork, whose token cannot delete cache entries; GitHub evicts them when unused',
        }),
      ]);
    } finally {
      api.denyWrites = false;
    }
    // pull_request_target runs with the base repository's token: it cleans up.
    const target = { ...pr, env: { ...pr.env, GITHUB_EVENT_NAME: 'pull_request_target' } };
    const log = await ciRun(app, target);
    expect(log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(new RegExp(`^Cache: deleted 2 superseded entries .*-${runId - 1}-1, `)),
    );
  });
});
