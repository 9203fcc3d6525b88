// Publishing under GitHub's real behaviour: every API call of a run fails in turn (and the run is
// cut off after each call), then a re-run must converge; rate limits, renamed names, leftovers of
// earlier runs, lists that lag, two runs of one tag at once, sub-module tags, draft mode. The
// real Octokit client talks to the stand-in; expectations are read from output-dir and the
// stand-in's state, never from the release code.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Build, Run } from './harness.js';
import {
  buildHello,
  copyOf,
  expected,
  published,
  release,
  releaseManifest,
  sha256,
  warnings,
} from './harness.js';
import type { Fault, StandInOptions } from '../support/github-api.js';
import { GitHubStandIn } from '../support/github-api.js';
import { parseOptions } from '../../src/options/options.js';
import { readSourceMetadata } from '../../src/compile/metadata.js';
import { tempDir } from '../support/engine.js';

const TARGETS = 'linux/amd64 windows/amd64';
const OTHER = Buffer.from('#!/bin/sh\necho install\n');

let older: Build;
let newer: Build;
let api: GitHubStandIn;

beforeAll(async () => {
  [older, newer] = await Promise.all([buildHello(TARGETS, 'v1.1.9'), buildHello(TARGETS, 'v1.2.0')]);
}, 600_000);

afterEach(async () => {
  await api.stop();
});

async function newApi(options: StandInOptions = {}): Promise<GitHubStandIn> {
  api = new GitHubStandIn(options);
  await api.start();
  api.tags.set('v1.2.0', { message: 'hello 1.2.0' });
  return api;
}

/** The files of a build by asset name. */
function filesOf(b: Build): Map<string, Buffer> {
  const names = expected(b);
  const found = new Map<string, Buffer>();
  const all = [
    ...b.manifest.artifacts.flatMap((a) => [a.archive ?? a.path, ...(a.sboms ?? [])]),
    b.manifest.checksums,
  ];
  for (const p of all) {
    if (p === null) continue;
    const file = path.resolve(b.baseDir, p);
    if (path.basename(file) in names) found.set(path.basename(file), readFileSync(file));
  }
  found.set('manifest.json', releaseManifest(b));
  return found;
}

/**
 * A published release as an earlier build left it: one file of the new build as it is (kept),
 * one missing (added), the rest with the older build's bytes (replaced), and an asset of
 * someone else's.
 */
function seedEarlierRelease(): { keep: string; add: string; replace: string[] } {
  const r = api.seedRelease('v1.2.0');
  const wanted = [...filesOf(newer)];
  const old = filesOf(older);
  const [keep, add, ...replace] = wanted.map(([name]) => name) as [string, string, ...string[]];
  for (const [name, bytes] of wanted) {
    if (name === add) continue;
    api.seedAsset(r, name, name === keep ? bytes : (old.get(name) as Buffer));
  }
  api.seedAsset(r, 'install.sh', OTHER);
  return { keep, add, replace };
}

function desired(): Record<string, string> {
  return { ...expected(newer), 'install.sh': sha256(OTHER) };
}

/**
 * Watches the published release of the tag after every answered request: the longest stretch of
 * API calls during which it lacked one of `held`, and what it lacks now.
 */
function watchMissing(held: readonly string[]): { longest: () => number; now: () => string[] } {
  let stretch = 0;
  let longest = 0;
  const now = () => {
    const r = api.releases.find((x) => x.tagName === 'v1.2.0' && !x.draft);
    if (r === undefined) return [];
    return held.filter((n) => !r.assets.some((a) => a.name === n && a.state === 'uploaded'));
  };
  let previous = '';
  api.onAnswered = (record) => {
    // A retry of the same request (its first answer lost) is the same API call.
    const call = `${record.method} ${record.path}`;
    const again = call === previous;
    previous = call;
    stretch = now().length > 0 ? stretch + (again ? 0 : 1) : 0;
    longest = Math.max(longest, stretch);
  };
  return { longest: () => longest, now };
}

/** The names a published release must keep: those it holds now, or every one once a draft is published. */
function mustStay(final: Record<string, string>): string[] {
  const shown = api.releases.find((r) => r.tagName === 'v1.2.0' && !r.draft);
  if (shown === undefined) return Object.keys(final);
  return Object.keys(final).filter((n) => shown.assets.some((a) => a.name === n));
}

interface Case {
  title: string;
  options: StandInOptions;
  /** Seeds the stand-in; returns what the release must hold in the end. */
  seed: () => Record<string, string>;
}

const CASES: Case[] = [
  {
    title: 'replacing, adding and keeping assets of a published release',
    options: {},
    seed: () => (seedEarlierRelease(), desired()),
  },
  {
    title: 'the same without digests (GitHub Enterprise Server)',
    options: { digests: false },
    seed: () => (seedEarlierRelease(), desired()),
  },
  { title: 'a first release: a draft, filled, then published', options: {}, seed: () => expected(newer) },
];

const FAULTS: Fault[] = ['down', 'refused', 'lost-answer', 'killed'];

describe('crash consistency of publishing', () => {
  for (const c of CASES) {
    it(`${c.title}: each call failing in turn, or the run dying after it, converges on a re-run`, async () => {
      await newApi(c.options);
      const final = c.seed();
      expect((await release(api, copyOf(newer))).error).toBeNull();
      const calls = api.requests.length;
      expect(published(api)).toEqual(final);
      expect(calls).toBeGreaterThan(8);
      await api.stop();
      let failedRuns = 0;
      for (let k = 0; k < calls; k++) {
        for (const fault of FAULTS) {
          await newApi(c.options);
          c.seed();
          const watch = watchMissing(mustStay(final));
          api.faultAt(k, fault);
          const broken: Run = await release(api, copyOf(newer));
          const context = `${fault} at call ${k}: ${broken.error?.message ?? 'no error'}`;
          const left = watch.now();
          if (broken.error === null) {
            // Only a lost answer the run recovers from, or a refused call before any write, passes.
            const state = broken.result?.release?.state;
            expect([context, state === 'published' || (state === 'skipped' && fault === 'refused')]).toEqual([
              context,
              true,
            ]);
            if (state === 'skipped')
              expect([context, api.writes().filter((w) => w.status < 300)]).toEqual([context, []]);
            else expect([context, published(api)]).toEqual([context, final]);
            expect([context, watch.longest()]).toEqual([context, Math.min(watch.longest(), 1)]);
          } else {
            failedRuns++;
            // What a failed run leaves missing, it names (a run that died says nothing).
            if (fault !== 'killed') for (const name of left) expect(broken.error.message).toContain(name);
            // Missing for longer than one call only where the run failed and left it so.
            if (left.length === 0)
              expect([context, watch.longest()]).toEqual([context, Math.min(watch.longest(), 1)]);
          }
          api.heal();
          const rewatch = watchMissing(mustStay(final).filter((n) => !left.includes(n)));
          const rerun = await release(api, copyOf(newer));
          expect([context, rerun.error?.message ?? null]).toEqual([context, null]);
          expect([context, published(api)]).toEqual([context, final]);
          expect([context, api.releases.filter((r) => r.tagName === 'v1.2.0').map((r) => r.draft)]).toEqual([
            context,
            [false],
          ]);
          expect([context, rewatch.longest()]).toEqual([context, Math.min(rewatch.longest(), 1)]);
          await api.stop();
        }
      }
      expect(failedRuns).toBeGreaterThan(calls);
      await newApi();
    }, 900_000);
  }
});

describe('rate limits and refusals', () => {
  it('a secondary rate limit (403 or 429 with retry-after) on a rename is waited out and the release completes', async () => {
    await newApi();
    seedEarlierRelease();
    api.rateLimitNext(/^PATCH \/repos\/octo\/hello\/releases\/assets\//, 403, 1, 1);
    api.rateLimitNext(/^DELETE \/repos\/octo\/hello\/releases\/assets\//, 429, 2, 1);
    const run = await release(api, copyOf(newer));
    expect(run.error).toBeNull();
    expect(published(api)).toEqual(desired());
    const limited = api.requests.filter((r) => r.status === 403 || r.status === 429);
    expect(limited.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 429', 'PATCH 403']);
    expect(run.log.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/secondary rate limit; retrying in 1 s/)]),
    );
  });

  it('a used-up primary rate limit (403, x-ratelimit-remaining 0) is waited out until x-ratelimit-reset', async () => {
    await newApi();
    seedEarlierRelease();
    api.exhaustRateLimitNext(/^POST \/uploads\//, 2);
    const run = await release(api, copyOf(newer));
    expect(run.error).toBeNull();
    expect(published(api)).toEqual(desired());
    expect(api.requests.filter((r) => r.status === 403).map((r) => r.method)).toEqual(['POST']);
    expect(run.log.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/with its primary rate limit; retrying in [2-4] s/)]),
    );
  });

  it('a rename refused with 403 after the old asset was deleted fails the step, names what is missing, and is not "skipped"', async () => {
    await newApi();
    const { replace } = seedEarlierRelease();
    api.failNext(/^PATCH \/repos\/octo\/hello\/releases\/assets\//, 403, 1);
    const run = await release(api, copyOf(newer));
    expect(run.result).toBeNull();
    const first = replace[0] as string;
    expect(run.error?.message).toMatch(
      new RegExp(
        `^Release v1\\.2\\.0: GitHub answered 403: Stand-in failure 403\\. The published release lacks ${first.replace(/\./g, '\\.')} and holds the temporary asset\\(s\\) ${first.replace(/\./g, '\\.')}\\.replacing-\\d+, .*; re-run the job: the next run finishes from there\\.$`,
      ),
    );
    const rerun = await release(api, copyOf(newer));
    expect(rerun.error).toBeNull();
    expect(published(api)).toEqual(desired());
  });

  it('a secondary rate limit that outlasts the retries, after writes, is an error too', async () => {
    await newApi();
    seedEarlierRelease();
    api.rateLimitNext(/^PATCH \/repos\/octo\/hello\/releases\/assets\//, 403, 1, 10);
    const run = await release(api, copyOf(newer));
    expect(run.error?.message).toMatch(
      /^Release v1\.2\.0: GitHub answered 403: You have exceeded a secondary rate limit/,
    );
    expect(run.error?.message).toMatch(/The published release lacks /);
    expect(warnings(run.log)).toEqual([]);
  });
});

describe('what earlier runs left', () => {
  it('a temporary asset with other bytes (the build moved on) is removed, not a bare 422 on every re-run', async () => {
    for (const digests of [true, false]) {
      await newApi({ digests });
      seedEarlierRelease();
      const r = api.release('v1.2.0');
      const target = r?.assets.find((a) => a.name.endsWith('.tar.gz'));
      if (r === undefined || target === undefined) throw new Error('seed');
      // The name this run would use, holding bytes of some third build.
      api.seedAsset(r, `${target.name}.replacing-${target.id}`, Buffer.from('bytes of another build'));
      // An unrelated earlier leftover too, of a file this build no longer makes.
      api.seedAsset(r, 'hello-plan9-amd64.tar.gz.replacing-7', Buffer.from('gone'));
      const run = await release(api, copyOf(newer));
      expect([digests, run.error?.message ?? null]).toEqual([digests, null]);
      expect(published(api)).toEqual(desired());
      await api.stop();
    }
    await newApi();
  });

  it('without digests, a leftover with identical bytes finishes the swap instead of uploading again', async () => {
    await newApi({ digests: false });
    const { replace } = seedEarlierRelease();
    const r = api.release('v1.2.0');
    const files = filesOf(newer);
    const target = r?.assets.find((a) => a.name === replace[0]);
    if (r === undefined || target === undefined) throw new Error('seed');
    // The earlier run deleted the old asset and died before the rename.
    r.assets.splice(r.assets.indexOf(target), 1);
    api.seedAsset(r, `${target.name}.replacing-${target.id}`, files.get(target.name) as Buffer);
    const run = await release(api, copyOf(newer));
    expect(run.error).toBeNull();
    expect(published(api)).toEqual(desired());
    const uploads = api.requests.filter((q) => q.path.startsWith('/uploads/')).length;
    // The add and the other replacements are uploaded; the finished swap is not.
    expect(uploads).toBe(Object.keys(expected(newer)).length - 2);
    expect(run.log.lines.map((l) => l.message)).toContain(
      `Release asset ${target.name}: an earlier run replaced it part-way; ${target.name}.replacing-${target.id} holds its bytes and takes its name.`,
    );
  });
});

describe('names GitHub would change', () => {
  // Every character class GitHub is known to turn into '.', and others outside letters, digits, . _ - +.
  const REWRITTEN = [' ', '~', '(', ')', ':', '#', '&', "'", '[', ']', '!', ',', ';', '=', '@', 'é'];

  it('name-template with any of them is an input error when a release is asked for', () => {
    const dir = tempDir('names');
    for (const c of REWRITTEN) {
      const template = `{name}${c}app_{goos}_{goarch}{ext}`;
      expect(() =>
        parseOptions({ 'name-template': template, release: 'true', 'working-directory': dir }, '/'),
      ).toThrow(
        `Input 'name-template': ${JSON.stringify(template)} is not valid. A release asset takes the file's name, and GitHub would store it with ${JSON.stringify(c)} turned into '.'`,
      );
      // Without a release the name only has to be a valid file name.
      expect(parseOptions({ 'name-template': template, 'working-directory': dir }, '/').nameTemplate).toBe(
        template,
      );
    }
    // Directories in the template are left behind by the asset name.
    expect(
      parseOptions(
        { 'name-template': '{goos}_{goarch}/{name}-{goos}{ext}', release: 'true', 'working-directory': dir },
        '/',
      ).nameTemplate,
    ).toBe('{goos}_{goarch}/{name}-{goos}{ext}');
  });

  it('a file named with one of them (from {version}) is refused before any call', async () => {
    for (const c of [...REWRITTEN, '.']) {
      await newApi();
      const b = copyOf(newer);
      const archive = b.manifest.artifacts[0]?.archive as string;
      const name =
        c === '.' ? `${path.basename(archive)}.` : path.basename(archive).replace('-linux', `${c}linux`);
      const renamed = path.join(path.dirname(path.resolve(b.baseDir, archive)), name);
      renameSync(path.resolve(b.baseDir, archive), renamed);
      const artifacts = b.manifest.artifacts.map((a, i) => (i === 0 ? { ...a, archive: renamed } : a));
      const run = await release(api, { ...b, manifest: { ...b.manifest, artifacts } });
      expect([c, run.error?.message]).toEqual([
        c,
        expect.stringContaining(
          `GitHub would store the release file ${JSON.stringify(name)} (${JSON.stringify(c)}) under another name`,
        ),
      ]);
      expect(api.requests).toEqual([]);
      await api.stop();
    }
    await newApi();
  });

  it('the stand-in renames as GitHub does, so a name check that let one through would show', async () => {
    await newApi();
    const r = api.seedRelease('v1.2.0', { draft: true });
    const res = await fetch(
      `${api.url}/uploads/repos/octo/hello/releases/${r.id}/assets?name=${encodeURIComponent('hello app~(1):x.tar.gz')}`,
      {
        method: 'POST',
        headers: { authorization: `token ${api.token}`, 'content-type': 'application/octet-stream' },
        body: 'x',
      },
    );
    expect(((await res.json()) as { name: string }).name).toBe('hello.app..1..x.tar.gz');
  });
});

describe('tags and modes', () => {
  it("a Go sub-module's tag: its version is the last path element, a prerelease by semver", async () => {
    await newApi();
    api.tags.set('tools/v0.2.0-rc.1', { message: 'tools rc' });
    api.tags.set('tools/v0.2.0', { message: 'tools' });
    expect((await release(api, copyOf(newer), { ref: 'refs/tags/tools/v0.2.0-rc.1' })).error).toBeNull();
    expect(api.release('tools/v0.2.0-rc.1')).toMatchObject({ prerelease: true, draft: false });
    expect(api.latestReleaseId).toBeNull();
    expect((await release(api, copyOf(newer), { ref: 'refs/tags/tools/v0.2.0' })).error).toBeNull();
    expect(api.release('tools/v0.2.0')).toMatchObject({ prerelease: false, draft: false });
    expect(api.latestReleaseId).toBe(api.release('tools/v0.2.0')?.id);
    const dir = tempDir('meta');
    const meta = await readSourceMetadata(
      dir,
      { GITHUB_REF: 'refs/tags/tools/v0.2.0-rc.1', PATH: process.env.PATH ?? '' },
      null,
    );
    expect(meta.version).toBe('v0.2.0-rc.1');
  });

  it('release: draft on a published release says so and writes nothing', async () => {
    await newApi();
    seedEarlierRelease();
    const before = published(api);
    const run = await release(api, copyOf(newer), { release: 'draft' });
    expect(run.error).toBeNull();
    expect(run.result?.release).toMatchObject({ state: 'skipped', url: null });
    expect(warnings(run.log)).toEqual([
      'Release v1.2.0 is already published (https://github.com/octo/hello/releases/tag/v1.2.0); release: draft never changes a published release, so nothing was uploaded. Use release: true to update it, or a new tag for a draft.',
    ]);
    expect(api.writes()).toEqual([]);
    expect(published(api)).toEqual(before);
  });
});

describe('two runs of one tag at once', () => {
  const variants: [string, StandInOptions, boolean][] = [
    ['mutable releases', {}, false],
    ['immutable releases', { immutableReleases: true }, false],
    ['lists that lag a write, no digests', { digests: false }, true],
  ];
  for (const [title, options, lag] of variants) {
    it(`${title}: both find nothing and create a draft; one release is published with every file, no draft is left`, async () => {
      await newApi(options);
      api.listsLag = lag;
      // Both runs list the releases before either creates one.
      api.holdUntil(/^GET \/repos\/octo\/hello\/releases\?/, 2);
      const [a, b] = await Promise.all([release(api, copyOf(newer)), release(api, copyOf(newer))]);
      expect([a.error?.message ?? null, b.error?.message ?? null]).toEqual([null, null]);
      expect(
        api.requests.filter((r) => r.method === 'POST' && r.path === '/repos/octo/hello/releases'),
      ).toHaveLength(2);
      expect(api.releases.map((r) => [r.tagName, r.draft])).toEqual([['v1.2.0', false]]);
      expect(published(api)).toEqual(expected(newer));
      expect([a, b].map((r) => r.result?.release?.state)).toEqual(['published', 'published']);
      const lines = [...a.log.lines, ...b.log.lines].map((l) => l.message);
      expect(lines.filter((l) => l.includes('another run made a draft'))).toHaveLength(1);
    });
  }

  it('lists that miss the other draft until both publish: the second publish is refused (one published release per tag), and that run moves to the winner', async () => {
    await newApi();
    api.holdUntil(/^GET \/repos\/octo\/hello\/releases\?/, 2);
    // Each run lists releases three times before publishing (find, and two checks): none shows the other's draft.
    api.staleReleaseLists(6);
    const [a, b] = await Promise.all([release(api, copyOf(newer)), release(api, copyOf(newer))]);
    expect([a.error?.message ?? null, b.error?.message ?? null]).toEqual([null, null]);
    const publishes = api.requests.filter((r) => r.method === 'PATCH' && /\/releases\/\d+$/.test(r.path));
    expect(publishes.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(api.releases.map((r) => [r.tagName, r.draft])).toEqual([['v1.2.0', false]]);
    expect(published(api)).toEqual(expected(newer));
    const lines = [...a.log.lines, ...b.log.lines].map((l) => l.message);
    expect(lines.filter((l) => l.includes('another run made the published release'))).toHaveLength(1);
  });
});
