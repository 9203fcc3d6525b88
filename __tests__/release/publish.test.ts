// The release step end to end: a real build of the example module (four targets, the universal
// binary, an SBOM each), published through the real Octokit client to a stand-in of GitHub's
// REST API that keeps GitHub's rules (drafts, pages, upload names, immutable releases).
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Build, ReleaseOptions } from './harness.js';
import * as harness from './harness.js';
import { copyOf, sha256, warnings } from './harness.js';
import type { Manifest } from '../../src/report/manifest.js';
import { GitHubStandIn } from '../support/github-api.js';

const TARGETS = 'linux/amd64 darwin/amd64 darwin/arm64 windows/amd64';

/**
 * What a release of this build holds, written by hand rather than read from the manifest or
 * src/release (which the tests check): each target's archive (zip for Windows) and the universal
 * binary's, a CycloneDX SBOM per binary, checksums.txt and manifest.json.
 */
const ASSETS = [
  'checksums.txt',
  'hello-darwin-amd64.tar.gz',
  'hello-darwin-amd64.cdx.json',
  'hello-darwin-arm64.tar.gz',
  'hello-darwin-arm64.cdx.json',
  'hello-darwin-universal.tar.gz',
  'hello-darwin-universal.cdx.json',
  'hello-linux-amd64.tar.gz',
  'hello-linux-amd64.cdx.json',
  'hello-windows-amd64.zip',
  'manifest.json',
  'hello-windows-amd64.exe.cdx.json',
].sort();

let first: Build;
let second: Build;
let api: GitHubStandIn;

const buildHello = (version: string) => harness.buildHello(TARGETS, version, { universal: 'true' });
const release = (b: Build, options: ReleaseOptions = {}) => harness.release(api, b, options);
const published = (tag = 'v1.2.0') => harness.published(api, tag);

/** The file in output-dir an asset is: manifest.json is the release's view of the manifest. */
const onDisk = (asset: string) => (asset === 'manifest.json' ? 'release-manifest.json' : asset);

/** ASSETS as name → sha256sum's digest of the one file of that name in the build's output-dir. */
function expected(b: Build): Record<string, string> {
  const wanted = ASSETS.map(onDisk);
  const files = (readdirSync(b.outputDir, { recursive: true }) as string[]).filter((f) =>
    wanted.includes(path.basename(f)),
  );
  expect(files.map((f) => path.basename(f)).sort()).toEqual([...wanted].sort());
  return Object.fromEntries(
    files.map((f) => [
      ASSETS.find((a) => onDisk(a) === path.basename(f)),
      execFileSync('sha256sum', [path.join(b.outputDir, f)], { encoding: 'utf8' }).slice(0, 64),
    ]),
  );
}

async function newApi(options: ConstructorParameters<typeof GitHubStandIn>[0] = {}): Promise<GitHubStandIn> {
  api = new GitHubStandIn(options);
  await api.start();
  api.tags.set('v1.2.0', { message: 'hello 1.2.0\n\nFaster greetings.' });
  return api;
}

beforeAll(async () => {
  first = await buildHello('v1.2.0');
  second = await buildHello('v1.2.0-rebuilt');
  expect(second.manifest.artifacts.map((a) => a.sha256)).not.toContain(first.manifest.artifacts[0]?.sha256);
}, 600_000);

afterEach(async () => {
  await api.stop();
});

describe('release set', () => {
  it('holds the archives, the universal binary, an SBOM per binary, checksums.txt and manifest.json', async () => {
    await newApi();
    expect((await release(first)).error).toBeNull();
    expect(Object.keys(published()).sort()).toEqual(ASSETS);
  });
});

describe('a first release on a repository with immutable releases', () => {
  it('creates a draft, uploads every file, then publishes; the release equals output-dir byte for byte', async () => {
    await newApi({ immutableReleases: true });
    const run = await release(first);
    expect(run.error).toBeNull();
    expect(run.result?.release).toMatchObject({
      state: 'published',
      tag: 'v1.2.0',
      url: 'https://github.com/octo/hello/releases/tag/v1.2.0',
    });
    expect(published()).toEqual(expected(first));
    const r = api.release('v1.2.0');
    expect(r).toMatchObject({
      draft: false,
      immutable: true,
      prerelease: false,
      body: 'hello 1.2.0\n\nFaster greetings.',
    });
    expect(api.latestReleaseId).toBe(r?.id);
    // Order: create a draft, every upload while it is a draft, publish last.
    const writes = api.writes();
    expect(writes[0]).toMatchObject({
      method: 'POST',
      path: '/repos/octo/hello/releases',
      status: 201,
      draft: true,
    });
    const uploads = writes.filter((w) => w.path.startsWith('/uploads/'));
    expect(uploads).toHaveLength(ASSETS.length);
    expect(uploads.every((u) => u.status === 201 && u.draft === true)).toBe(true);
    expect(writes.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/repos/octo/hello/releases/${r?.id}`,
      draft: false,
    });
    expect(writes).toHaveLength(ASSETS.length + 2);
    expect(run.result?.release?.assets.every((a) => a.action === 'added')).toBe(true);
    // The subjects file names exactly the release's assets with their digests.
    const subjects = readFileSync(path.join('/', run.result?.subjects ?? ''), 'utf8');
    expect(
      Object.fromEntries(
        subjects
          .trim()
          .split('\n')
          .map((l) => l.split('  ').reverse()),
      ),
    ).toEqual(published());
  });

  it('re-run with the same bytes writes nothing; with changed bytes it refuses and changes nothing', async () => {
    await newApi({ immutableReleases: true });
    expect((await release(first)).error).toBeNull();
    const before = published();
    const writesBefore = api.writes().length;

    const again = await release(first);
    expect(again.error).toBeNull();
    expect(again.result?.release?.state).toBe('published');
    expect(again.result?.release?.assets.every((a) => a.action === 'kept')).toBe(true);
    expect(api.writes()).toHaveLength(writesBefore);

    const changed = await release(second);
    expect(changed.error?.message).toMatch(
      /^Release v1\.2\.0 is published and immutable: GitHub answered 422 "Cannot upload assets to an immutable release\." \(hello-linux-amd64\.tar\.gz, .*checksums\.txt, manifest\.json differ from this build\)\. Nothing was changed; release the new build under a new tag\.$/,
    );
    // One upload was tried and refused; nothing else was asked.
    expect(api.writes().slice(writesBefore)).toEqual([
      expect.objectContaining({ method: 'POST', status: 422, path: expect.stringMatching(/^\/uploads\//) }),
    ]);
    expect(published()).toEqual(before);
    expect(api.release('v1.2.0')).toMatchObject({ draft: false, immutable: true });
  });

  it("a re-run that rebuilds the same bytes in other times re-uses the release's manifest.json", async () => {
    await newApi({ immutableReleases: true });
    expect((await release(first)).error).toBeNull();
    const before = published();
    const writesBefore = api.writes().length;
    // Another attempt of the job: the same files, other timings, cache and attempt number.
    const retimed = copyOf(first);
    retimed.manifest = {
      ...retimed.manifest,
      runAttempt: 2,
      buildPhaseSeconds: retimed.manifest.buildPhaseSeconds + 7,
      stageSeconds: { prepare: 9, compile: 70 },
      reproduceSeconds: 42,
      cache: { hit: 'true', key: 'go-build-matrix-retimed', restoredBytes: 1, savedBytes: 0 },
      artifacts: retimed.manifest.artifacts.map((a) => ({
        ...a,
        buildSeconds: (a.buildSeconds ?? 0) + 3,
        timeline: { started: 1, built: 2, verified: 3, done: 4 },
      })),
    };
    const again = await release(retimed);
    expect(again.error).toBeNull();
    expect(again.result?.release?.state).toBe('published');
    const actions = new Map(again.result?.release?.assets.map((a) => [a.name, a.action]));
    expect(actions.get('manifest.json')).toBe('kept');
    expect([...actions.values()].every((a) => a === 'kept')).toBe(true);
    expect(api.writes()).toHaveLength(writesBefore);
    expect(published()).toEqual(before);
    // The run's own manifest keeps this run's timings; the release's leaves them out.
    const shipped = JSON.parse(
      api
        .release('v1.2.0')
        ?.assets.find((a) => a.name === 'manifest.json')
        ?.bytes.toString('utf8') ?? '{}',
    ) as Manifest;
    expect(shipped).toMatchObject({ runAttempt: null, cache: null, buildPhaseSeconds: 0 });
    expect([shipped.stageSeconds, shipped.reproduceSeconds]).toEqual([undefined, undefined]);
    expect(shipped.artifacts.map((a) => [a.target, a.sha256, a.buildSeconds, a.timeline])).toEqual(
      first.manifest.artifacts.map((a) => [a.target, a.sha256, null, null]),
    );
  });

  it('a failure part-way leaves a draft no one sees as released; the re-run completes and publishes', async () => {
    await newApi({ immutableReleases: true });
    // One upload fails on every attempt (the first and the client's three retries).
    api.failNext(/^POST \/uploads\/.*[?&]name=hello-windows-amd64\.zip/, 500, 4);
    const broken = await release(first);
    expect(broken.error?.message).toBe(
      'Release v1.2.0: GitHub answered 500: Stand-in failure 500. The release is still a draft, which nobody sees as released; re-run the job: the next run finishes from there.',
    );
    const r = api.release('v1.2.0');
    expect(r).toMatchObject({ draft: true, immutable: false });
    expect(api.latestReleaseId).toBeNull();
    const partial = Object.keys(published()).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ASSETS.length);

    const rerun = await release(first);
    expect(rerun.error).toBeNull();
    expect(rerun.result?.release?.state).toBe('published');
    expect(api.releases).toHaveLength(1);
    expect(published()).toEqual(expected(first));
    expect(api.release('v1.2.0')).toMatchObject({ draft: false, immutable: true });
    const actions = rerun.result?.release?.assets.map((a) => a.action) ?? [];
    expect(actions.filter((a) => a === 'kept')).toHaveLength(partial);
    expect(actions.filter((a) => a === 'added')).toHaveLength(ASSETS.length - partial);
  });

  it('retries a 502 and uploads each file once', async () => {
    await newApi({ immutableReleases: true });
    api.failNext(/^POST \/uploads\/.*[?&]name=checksums\.txt/, 502, 2);
    const run = await release(first);
    expect(run.error).toBeNull();
    expect(published()).toEqual(expected(first));
    const attempts = api.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/uploads/'));
    expect(attempts.map((q) => q.status).filter((s) => s !== 201)).toEqual([502, 502]);
    expect(attempts).toHaveLength(ASSETS.length + 2);
    expect(api.release('v1.2.0')?.assets).toHaveLength(ASSETS.length);
  });
});

describe('a repository whose releases stay mutable', () => {
  it('replaces changed assets, leaves assets it did not make, and adds what is new', async () => {
    await newApi();
    expect((await release(first)).error).toBeNull();
    const r = api.release('v1.2.0');
    if (r === undefined) throw new Error('no release');
    api.seedAsset(r, 'install.sh', Buffer.from('#!/bin/sh\necho install\n'));
    // An asset someone deleted by hand: the re-run adds it back.
    r.assets.splice(
      r.assets.findIndex((a) => a.name === 'hello-linux-amd64.cdx.json'),
      1,
    );
    const rebuilt = copyOf(second);
    const run = await release(rebuilt);
    expect(run.error).toBeNull();
    const actions = new Map(run.result?.release?.assets.map((a) => [a.name, a.action]));
    expect(actions.get('hello-linux-amd64.cdx.json')).toBe('added');
    // Every other asset changed with the version, the manifest too.
    expect([...actions.values()].filter((a) => a === 'replaced')).toHaveLength(ASSETS.length - 1);
    expect(published()).toEqual({
      ...expected(rebuilt),
      'install.sh': sha256(Buffer.from('#!/bin/sh\necho install\n')),
    });
    expect(run.log.lines.map((l) => l.message)).toContain(
      'Release v1.2.0 holds 1 asset(s) this build did not make, left as they are: install.sh',
    );
    // Every replacement was uploaded before the first old asset was deleted.
    const writes = api.writes();
    const firstDelete = writes.findIndex((w) => w.method === 'DELETE');
    const replacements = writes.filter((w) => w.path.startsWith('/uploads/'));
    expect(replacements).toHaveLength(ASSETS.length * 2);
    expect(firstDelete).toBeGreaterThan(writes.indexOf(replacements.at(-1) as (typeof writes)[number]));
    expect(api.release('v1.2.0')?.assets.some((a) => a.name.includes('.replacing-'))).toBe(false);
  });

  it('finds its release past the first page of releases and its assets past the first 100', async () => {
    await newApi();
    for (let i = 0; i < 120; i++) api.seedRelease(`v0.${i}.0`);
    const r = api.seedRelease('v1.2.0');
    for (let i = 0; i < 130; i++) api.seedAsset(r, `extra-${i}.txt`, Buffer.from(`extra ${i}\n`));
    // The release list is newest first: move ours to the end so it is on the second page.
    api.releases.unshift(...api.releases.splice(api.releases.indexOf(r), 1));
    const run = await release(first);
    expect(run.error).toBeNull();
    expect(api.releases.filter((x) => x.tagName === 'v1.2.0')).toHaveLength(1);
    expect(Object.keys(published())).toHaveLength(130 + ASSETS.length);
    const again = await release(first);
    expect(again.result?.release?.assets.every((a) => a.action === 'kept')).toBe(true);
    expect(
      api.requests.some((q) => q.path === `/repos/octo/hello/releases/${r.id}/assets` && q.status === 200),
    ).toBe(true);
  });

  it('without digests (older GitHub Enterprise) compares the bytes it downloads', async () => {
    await newApi({ digests: false });
    expect((await release(first)).error).toBeNull();
    const writes = api.writes().length;
    const again = await release(first);
    expect(again.result?.release?.assets.every((a) => a.action === 'kept')).toBe(true);
    expect(api.writes()).toHaveLength(writes);
    expect(api.requests.filter((q) => q.path.startsWith('/download/'))).toHaveLength(ASSETS.length);
  });

  it('removes an unfinished upload (a starter asset) before uploading the file', async () => {
    await newApi();
    const r = api.seedRelease('v1.2.0', { draft: true });
    api.seedAsset(r, 'checksums.txt', Buffer.alloc(0), 'starter');
    const run = await release(first);
    expect(run.error).toBeNull();
    expect(published()).toEqual(expected(first));
    expect(api.release('v1.2.0')?.assets.every((a) => a.state === 'uploaded')).toBe(true);
  });
});

describe('release options', () => {
  it("'draft' leaves a complete draft; a later 'true' publishes it without uploading again", async () => {
    await newApi({ immutableReleases: true });
    const draft = await release(first, { release: 'draft' });
    expect(draft.result?.release?.state).toBe('draft');
    expect(api.release('v1.2.0')).toMatchObject({ draft: true, immutable: false });
    expect(published()).toEqual(expected(first));
    const uploads = api.writes().filter((w) => w.path.startsWith('/uploads/')).length;
    const run = await release(first);
    expect(run.result?.release?.state).toBe('published');
    expect(api.writes().filter((w) => w.path.startsWith('/uploads/'))).toHaveLength(uploads);
    expect(api.release('v1.2.0')).toMatchObject({ draft: false, immutable: true });
  });

  it('a semver prerelease tag makes a prerelease that does not become the latest', async () => {
    await newApi();
    api.tags.set('v1.3.0-rc.1', { message: 'rc' });
    const run = await release(first, { ref: 'refs/tags/v1.3.0-rc.1' });
    expect(run.error).toBeNull();
    expect(api.release('v1.3.0-rc.1')).toMatchObject({ prerelease: true, draft: false });
    expect(api.latestReleaseId).toBeNull();
  });

  it("make-latest 'false' publishes without moving the latest release", async () => {
    await newApi();
    const older = api.seedRelease('v1.1.0');
    api.latestReleaseId = older.id;
    expect((await release(first, { makeLatest: 'false' })).error).toBeNull();
    expect(api.release('v1.2.0')?.draft).toBe(false);
    expect(api.latestReleaseId).toBe(older.id);
  });

  it('a lightweight tag gets GitHub generated notes; a signed tag its message without the signature', async () => {
    await newApi();
    api.tags.set('v1.2.1', { message: null });
    api.tags.set('v1.2.2', {
      message: 'hello 1.2.2\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----',
    });
    expect((await release(first, { ref: 'refs/tags/v1.2.1' })).error).toBeNull();
    expect(api.release('v1.2.1')?.body).toMatch(/^## What's Changed\n/);
    expect((await release(first, { ref: 'refs/tags/v1.2.2' })).error).toBeNull();
    expect(api.release('v1.2.2')?.body).toBe('hello 1.2.2');
    api.tags.set('v1.2.3', { message: null });
    const warned = await release(first, { ref: 'refs/tags/v1.2.3', releaseNotes: 'tag' });
    expect(warned.error).toBeNull();
    expect(api.release('v1.2.3')?.body).toBe('');
    expect(warnings(warned.log)).toEqual([
      "Release v1.2.3: release-notes is 'tag' but v1.2.3 is a lightweight tag with no message; the notes are empty. Tag with 'git tag -a' to give it one.",
    ]);
  });
});

describe('when no release can be made', () => {
  it('on a branch: says so and calls nothing', async () => {
    await newApi();
    const run = await release(first, { ref: 'refs/heads/main' });
    expect(run.result?.release?.state).toBe('skipped');
    expect(run.log.lines.map((l) => l.message)).toContain(
      'Release: skipped, refs/heads/main is not a tag; a release is made when the workflow runs for a tag (on: push: tags).',
    );
    expect(api.requests).toEqual([]);
  });

  it('a failed or missing target: refuses and calls nothing', async () => {
    await newApi();
    const failed: Build = {
      ...first,
      manifest: {
        ...first.manifest,
        artifacts: first.manifest.artifacts.map((a) =>
          a.target === 'darwin/arm64' ? { ...a, status: 'build-failed', path: null, archive: null } : a,
        ),
      },
    };
    const run = await release(failed);
    expect(run.error?.message).toMatch(
      /^Release v1\.2\.0 was not made: darwin\/arm64 failed, and a release holds every target or none\.$/,
    );
    const missing = await release(first, { missing: ['linux/arm64'] });
    expect(missing.error?.message).toBe(
      'Release v1.2.0 was not made: linux/arm64 never arrived, and a release holds every target or none.',
    );
    expect(api.requests).toEqual([]);
  });

  it('a tag GitHub does not have: an error, and no release is created', async () => {
    await newApi();
    const run = await release(first, { ref: 'refs/tags/v9.9.9' });
    expect(run.error?.message).toBe(
      'Tag v9.9.9 is not in octo/hello on GitHub; push the tag before releasing it (a release of a missing tag would create one).',
    );
    expect(api.writes()).toEqual([]);
  });

  it('a token without contents: write: a warning that names the permission; nothing is written', async () => {
    await newApi();
    api.denyWrites = true;
    const run = await release(first);
    expect(run.error).toBeNull();
    expect(run.result?.release?.state).toBe('skipped');
    expect(warnings(run.log)).toEqual([
      "Release v1.2.0 was not made: GitHub refused with 403 (Resource not accessible by integration - https://docs.github.com/rest/releases/releases#create-a-release). Grant the job 'permissions: contents: write' and pass a token that has it as github-token.",
    ]);
    expect(api.releases).toEqual([]);
  });

  it("a bad token: an error naming GitHub's answer, without the token", async () => {
    await newApi();
    const run = await release(first, { token: 'ghs_wrong_token' });
    expect(run.error?.message).toMatch(/^Release v1\.2\.0: GitHub answered 401: Bad credentials/);
    expect(run.error?.message).not.toContain('ghs_wrong_token');
  });
});
