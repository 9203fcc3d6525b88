// Publishing under GitHub's real behaviour: every API call of a run fails in turn (and the run is
// cut off after each call), then a re-run must converge; rate limits, renamed names, leftovers of
// earlier runs, lists that lag, two runs of one tag at once, sub-module tags, draft mode. The
// real Octokit client talks to the stand-in; expectations are read from output-dir and the
// stand-in's state, never from the release code.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Build, Run } from './harness.js';
import { buildHello, copyOf, expected, published, release, sha256, warnings } from './harness.js';
import type { Fault, StandInOptions } from '../support/github-api.js';
import { GitHubStandIn } from '../support/github-api.js';
import { parseOptions } from '../../src/options/options.js';
import { readSourceMetadata } from '../../src/build/metadata.js';
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
    const file = path.resolve('/', p);
    if (path.basename(file) in names) found.set(path.basename(file), readFileSync(file));
  }
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
