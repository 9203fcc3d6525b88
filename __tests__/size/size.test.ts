// Size against the previous release: v1 is built and published through the real release step
// to the GitHub stand-in (manifest.json among its assets), then v2, whose linux binary carries a
// large table, is built by the real engine, which finds v1, reads its manifest.json through the
// real Octokit client and compares each binary with the same target of v1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/options/errors.js';
import { parseOptions } from '../../src/options/options.js';
import type { ArtifactEntry, Manifest } from '../../src/report/manifest.js';
import { renderSummary, renderTable } from '../../src/report/summary.js';
import { previousRelease } from '../../src/size/baseline.js';
import type { Build } from '../release/harness.js';
import * as harness from '../release/harness.js';
import { GitHubStandIn } from '../support/github-api.js';
import type { EngineRun } from '../support/engine.js';
import { cli } from '../support/cli.js';
import { build, copyModule, tempDir } from '../support/engine.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from '../support/toolchains.js';

const TARGETS = 'linux/amd64 windows/amd64';
/** What the linux binary of v2 gains: a table it prints when asked, so the linker keeps it. */
const GROWTH = 400 * 1024;

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
};

let v1Source: string;
let v2Source: string;
let v1: Build;
let api: GitHubStandIn;

function inputs(dir: string, version: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    targets: TARGETS,
    'working-directory': dir,
    'output-dir': temp('size-out'),
    version,
    ldflags: '-s -w -X main.version={version}',
    cache: 'false',
    upload: 'false',
    ...extra,
  };
}

/** A build as the workflow of `tag` on the stand-in's repository runs it, with the job's token. */
function buildTag(dir: string, tag: string, extra: Record<string, string> = {}): Promise<EngineRun> {
  return build(toolchain('1.26'), inputs(dir, tag, { 'github-token': api.token, ...extra }), {
    GITHUB_REF: `refs/tags/${tag}`,
    GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
    GITHUB_API_URL: api.url,
    GO_BUILD_MATRIX_API_RETRY_MS: '5',
  });
}

async function newApi(): Promise<GitHubStandIn> {
  api = new GitHubStandIn();
  await api.start();
  for (const tag of ['v1.0.0', 'v2.0.0']) api.tags.set(tag, { message: null });
  return api;
}

/** v1 published through the release step, as the previous release of every v2 build below. */
async function publishV1(): Promise<void> {
  const run = await harness.release(api, v1, { ref: 'refs/tags/v1.0.0' });
  expect(run.error).toBeNull();
  expect(api.release('v1.0.0')?.assets.map((a) => a.name)).toContain('manifest.json');
}

const byTarget = (m: Manifest, target: string): ArtifactEntry => {
  const a = m.artifacts.find((x) => x.target === target);
  if (a === undefined) throw new Error(`no ${target}`);
  return a;
};
/** The binary's size as the file system has it, not as any manifest says. */
const fileSize = (a: ArtifactEntry) => statSync(path.resolve('/', a.path ?? '')).size;
const lines = (run: EngineRun, level: string) =>
  run.log.lines.filter((l) => l.level === level).map((l) => l.message);

beforeAll(async () => {
  v1Source = temp('size-v1');
  copyModule(EXAMPLE_MODULE, v1Source);
  v2Source = temp('size-v2');
  copyModule(EXAMPLE_MODULE, v2Source);
  writeFileSync(
    path.join(v2Source, 'table_linux.go'),
    [
      'package main',
      '',
      'import "os"',
      '',
      `var table = "${randomBytes(GROWTH / 2).toString('hex')}"`,
      '',
      'func init() {',
      '\tif os.Getenv("HELLO_TABLE") != "" {',
      '\t\tos.Stdout.WriteString(table)',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
  const run = await build(toolchain('1.26'), inputs(v1Source, 'v1.0.0'));
  expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
  v1 = { outputDir: run.outputDir, manifest: run.manifest, baseDir: '/' };
}, 600_000);

afterEach(async () => {
  await api?.stop();
});

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('a build of v2 after release v1', () => {
  it('shows each binary with its change from the same target of v1, and a budget that holds passes', async () => {
    await newApi();
    await publishV1();
    // Neither a draft nor a prerelease is the previous release of v2, however new: each holds a
    // manifest.json whose sizes would show if it were read.
    const bogus = Buffer.from(
      JSON.stringify({
        artifacts: v1.manifest.artifacts.map((a) => ({ ...a, size: 1 })),
      }),
    );
    api.seedAsset(api.seedRelease('v1.1.0-rc.1', { prerelease: true }), 'manifest.json', bogus);
    api.seedAsset(api.seedRelease('v1.5.0', { draft: true }), 'manifest.json', bogus);
    api.seedAsset(api.seedRelease('v2.0.0', { draft: true }), 'manifest.json', bogus);

    const run = await buildTag(v2Source, 'v2.0.0', { 'size-budget': '+1MiB' });
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(run.manifest.size).toEqual({ baseline: 'release v1.0.0', note: null, budget: '+1MiB' });
    for (const target of ['linux/amd64', 'windows/amd64']) {
      const now = byTarget(run.manifest, target);
      const before = byTarget(v1.manifest, target);
      expect(now.size).toBe(fileSize(now));
      expect(now.sizeChange).toEqual({
        baseline: 'release v1.0.0',
        previous: fileSize(before),
        change: fileSize(now) - fileSize(before),
      });
    }
    const linux = byTarget(run.manifest, 'linux/amd64');
    expect(linux.sizeChange?.change).toBeGreaterThanOrEqual(GROWTH);
    // The same version length and sources: windows did not grow by more than a few bytes.
    expect(Math.abs(byTarget(run.manifest, 'windows/amd64').sizeChange?.change ?? NaN)).toBeLessThan(4096);

    // The manifest on disk records it, and the summary and table show it.
    const onDisk = JSON.parse(readFileSync(run.manifestPath, 'utf8')) as Manifest;
    expect(onDisk.artifacts.map((a) => a.sizeChange)).toEqual(
      run.manifest.artifacts.map((a) => a.sizeChange),
    );
    const growth = (linux.sizeChange?.change ?? 0) / 1024;
    const percent = ((linux.sizeChange?.change ?? 0) / (linux.sizeChange?.previous ?? 1)) * 100;
    const cell = `(+${growth.toFixed(1)} KiB, +${percent.toFixed(1)}%)`;
    const linuxRow = (text: string) => text.split('\n').find((l) => l.includes('linux/amd64')) ?? '';
    expect(linuxRow(renderSummary(run.manifest))).toContain(cell);
    expect(linuxRow(renderTable(run.manifest))).toContain(cell);
    expect(renderSummary(run.manifest)).toContain('Sizes against release v1.0.0, size-budget +1MiB.');
    expect(renderTable(run.manifest)).toContain('Sizes against release v1.0.0, size-budget +1MiB.');
  }, 300_000);

  it('fails the target that grew past the budget, naming it, both sizes and the budget, and no other', async () => {
    await newApi();
    await publishV1();
    const run = await buildTag(v2Source, 'v2.0.0', { 'size-budget': '+5%' });
    const linux = byTarget(run.manifest, 'linux/amd64');
    const windows = byTarget(run.manifest, 'windows/amd64');
    expect(windows.status).toBe('ok');
    expect(windows.error).toBeNull();
    expect(linux.status).toBe('size-failed');
    const before = fileSize(byTarget(v1.manifest, 'linux/amd64'));
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    expect(linux.error).toBe(
      `linux/amd64 grew past size-budget +5%: ${mib(before)} in release v1.0.0, ${mib(fileSize(linux))} (+${((fileSize(linux) - before) / 1024).toFixed(1)} KiB, +${(((fileSize(linux) - before) / before) * 100).toFixed(1)}%) now.`,
    );
    expect(lines(run, 'error')).toEqual([linux.error]);
    // The failed target is still built, verified and in the table, marked as failed.
    expect(linux.verify?.ok).toBe(true);
    expect(renderTable(run.manifest)).toMatch(
      /linux\/amd64 .* size-failed: linux\/amd64 grew past size-budget \+5%/,
    );
  }, 300_000);

  it('compares with a manifest.json given as size-baseline, without any API', async () => {
    const run = await build(
      toolchain('1.26'),
      inputs(v2Source, 'v2.0.0', {
        'size-baseline': path.join(v1.outputDir, 'manifest.json'),
        'size-budget': '+5%',
      }),
    );
    expect(byTarget(run.manifest, 'windows/amd64').status).toBe('ok');
    expect(byTarget(run.manifest, 'linux/amd64').status).toBe('size-failed');
    expect(byTarget(run.manifest, 'linux/amd64').sizeChange?.previous).toBe(
      fileSize(byTarget(v1.manifest, 'linux/amd64')),
    );
  }, 300_000);
});

describe('on a branch, and with a release named', () => {
  it('compares with the latest release; a target it did not have is new and within any budget', async () => {
    await newApi();
    await publishV1();
    const run = await build(
      toolchain('1.26'),
      inputs(v1Source, 'v1.0.1-dev', {
        'github-token': api.token,
        targets: `${TARGETS} linux/arm64`,
        'size-budget': '+1%',
      }),
      {
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
        GITHUB_API_URL: api.url,
        GO_BUILD_MATRIX_API_RETRY_MS: '5',
      },
    );
    expect(run.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['windows/amd64', 'ok'],
      ['linux/arm64', 'ok'],
    ]);
    const arm = byTarget(run.manifest, 'linux/arm64');
    expect(arm.sizeChange).toEqual({ baseline: 'release v1.0.0', previous: null, change: null });
    expect(
      renderTable(run.manifest)
        .split('\n')
        .find((l) => l.startsWith('linux/arm64')),
    ).toContain(' (new) ');
    expect(byTarget(run.manifest, 'linux/amd64').sizeChange?.previous).toBe(
      fileSize(byTarget(v1.manifest, 'linux/amd64')),
    );
  }, 300_000);

  it('reads the release size-baseline names, and notes a tag that has none', async () => {
    await newApi();
    await publishV1();
    api.seedRelease('v1.0.1');
    const named = await buildTag(v2Source, 'v2.0.0', { 'size-baseline': 'v1.0.0' });
    expect(named.manifest.size?.baseline).toBe('release v1.0.0');
    expect(byTarget(named.manifest, 'windows/amd64').sizeChange?.previous).toBe(
      fileSize(byTarget(v1.manifest, 'windows/amd64')),
    );
    const missing = await buildTag(v2Source, 'v2.0.0', { 'size-baseline': 'v0.9.0' });
    expect(missing.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(missing.manifest.size?.note).toBe('octo/hello has no published release v0.9.0 (size-baseline)');
  }, 300_000);
});

describe('the CLI', () => {
  it('takes --size-baseline (relative to the current directory) and --size-budget, prints the change, exits 1', async () => {
    const out = temp('size-cli');
    const r = await cli(
      [
        'build',
        '--working-directory',
        v2Source,
        '--targets',
        TARGETS,
        '--output-dir',
        out,
        '--version',
        'v2.0.0',
        '--ldflags',
        '-s -w -X main.version={version}',
        '--size-baseline',
        path.relative(path.dirname(v1.outputDir), path.join(v1.outputDir, 'manifest.json')),
        '--size-budget',
        '+5%',
      ],
      goEnv(toolchain('1.26')),
      path.dirname(v1.outputDir),
    );
    expect(r.code).toBe(1);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
    const linux = byTarget(manifest, 'linux/amd64');
    expect(linux.status).toBe('size-failed');
    const row = r.stdout.split('\n').find((l) => l.startsWith('linux/amd64')) ?? '';
    expect(row).toMatch(
      / \d+\.\d MiB \(\+\d+\.\d KiB, \+\d+\.\d%\) .*size-failed: linux\/amd64 grew past size-budget \+5%/,
    );
    expect(r.stdout).toContain(
      `Sizes against ${path.basename(v1.outputDir)}/manifest.json, size-budget +5%.`,
    );
  }, 300_000);
});

describe('no figures to compare with', () => {
  it('with no previous release, notes it and fails nothing, budget or not', async () => {
    await newApi();
    const run = await buildTag(v2Source, 'v2.0.0', { 'size-budget': '+5%' });
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(run.manifest.artifacts.map((a) => a.sizeChange)).toEqual([undefined, undefined]);
    expect(run.manifest.size).toEqual({
      baseline: null,
      note: 'there is no previous release to compare with',
      budget: '+5%',
    });
    expect(lines(run, 'info')).toContain('Size: not compared, there is no previous release to compare with.');
    expect(lines(run, 'warning')).toEqual([]);
    expect(renderSummary(run.manifest)).toContain(
      'Sizes not compared, size-budget +5%: there is no previous release to compare with.',
    );
  }, 300_000);

  it('with a previous release that has no manifest.json, notes it; a budget then fails, saying why', async () => {
    await newApi();
    const old = api.seedRelease('v1.0.0');
    api.seedAsset(old, 'hello-linux-amd64.tar.gz', Buffer.from('an older release'));
    const note =
      'release v1.0.0 has no manifest.json asset (releases made before go-build-matrix carried it)';

    const plain = await buildTag(v2Source, 'v2.0.0');
    expect(plain.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(plain.manifest.size).toEqual({ baseline: null, note, budget: null });
    expect(lines(plain, 'info')).toContain(`Size: not compared, ${note}.`);

    const budgeted = await buildTag(v2Source, 'v2.0.0', { 'size-budget': '+5%' });
    expect(budgeted.manifest.artifacts.map((a) => a.status)).toEqual(['size-failed', 'size-failed']);
    expect(byTarget(budgeted.manifest, 'windows/amd64').error).toBe(
      `size-budget +5% could not be checked for windows/amd64: ${note}. Give size-baseline a manifest.json to compare with, or leave size-budget empty.`,
    );
    expect(lines(budgeted, 'warning')).toEqual([`Size: size-budget +5% could not be checked: ${note}.`]);
  }, 300_000);

  it('without a token, notes that the previous release was not looked up', async () => {
    await newApi();
    await publishV1();
    const before = api.requests.length;
    const run = await buildTag(v2Source, 'v2.0.0', { 'github-token': '' });
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(run.manifest.size?.note).toBe(
      'the previous release was not looked up: a token (input github-token; GITHUB_TOKEN or GH_TOKEN on the command line) is missing',
    );
    expect(api.requests.slice(before)).toEqual([]);
  }, 300_000);

  it('when GitHub keeps failing, notes the answer after the client retried', async () => {
    await newApi();
    await publishV1();
    const before = api.requests.length;
    api.failNext(/^GET \/repos\/octo\/hello\/releases/, 500, 10);
    const run = await buildTag(v2Source, 'v2.0.0');
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(run.manifest.size?.note).toMatch(/^the previous release could not be read: GitHub answered 500 /);
    expect(lines(run, 'warning')).toEqual([`Size: not compared, ${run.manifest.size?.note ?? ''}.`]);
    // The client's retries, as the release step has them: the first request and three more.
    expect(api.requests.slice(before).map((r) => r.status)).toEqual([500, 500, 500, 500]);
  }, 300_000);
});

describe('which release is the previous one', () => {
  const r = (
    id: number,
    tag: string,
    published: string | null,
    extra: { draft?: boolean; prerelease?: boolean } = {},
  ) => ({
    id,
    tag_name: tag,
    draft: extra.draft ?? false,
    prerelease: extra.prerelease ?? false,
    published_at: published,
  });
  const releases = [
    r(1, 'v1.0.0', '2026-01-01T00:00:00Z'),
    r(2, 'tools/v0.1.0', '2026-02-01T00:00:00Z'),
    r(3, 'v1.1.0', '2026-03-01T00:00:00Z'),
    r(4, 'v1.2.0-rc.1', '2026-04-01T00:00:00Z', { prerelease: true }),
    r(5, 'v1.2.0', '2026-05-01T00:00:00Z'),
    r(6, 'v1.3.0', null, { draft: true }),
  ];
  const tagOf = (tag: string | null, prerelease: 'auto' | 'true' | 'false' = 'auto') =>
    previousRelease(releases, tag, prerelease)?.tag_name ?? null;

  it('is the newest published release, without drafts, prereleases, other sub-modules or the run’s own tag', () => {
    expect(tagOf('v1.3.0')).toBe('v1.2.0');
    expect(tagOf(null)).toBe('v1.2.0');
    expect(tagOf('tools/v0.2.0')).toBe('tools/v0.1.0');
    // A re-run of a published tag compares with what came before it, not after.
    expect(tagOf('v1.1.0')).toBe('v1.0.0');
    expect(tagOf('v1.0.0')).toBeNull();
  });

  it('is, for a prerelease, the newest release of either kind', () => {
    const list = [
      r(1, 'v1.2.0', '2026-01-01T00:00:00Z'),
      r(2, 'v1.3.0-rc.1', '2026-02-01T00:00:00Z', { prerelease: true }),
    ];
    expect(previousRelease(list, 'v1.3.0-rc.2', 'auto')?.tag_name).toBe('v1.3.0-rc.1');
    expect(previousRelease(list, 'nightly', 'true')?.tag_name).toBe('v1.3.0-rc.1');
    expect(previousRelease(list, 'v1.3.0', 'auto')?.tag_name).toBe('v1.2.0');
    expect(previousRelease(list, 'v1.3.0-rc.2', 'false')?.tag_name).toBe('v1.2.0');
  });
});

describe('size-budget and size-baseline', () => {
  const parse = (given: Record<string, string>) =>
    parseOptions({ 'working-directory': EXAMPLE_MODULE, ...given }, '/');
  it.each([
    ['+5%', { kind: 'percent', percent: 5, text: '+5%' }],
    ['2.5%', { kind: 'percent', percent: 2.5, text: '+2.5%' }],
    ['+2MiB', { kind: 'bytes', bytes: 2 * 1024 * 1024, text: '+2MiB' }],
    ['+500kB', { kind: 'bytes', bytes: 500_000, text: '+500kB' }],
    ['+1.5MB', { kind: 'bytes', bytes: 1_500_000, text: '+1.5MB' }],
    ['+4096B', { kind: 'bytes', bytes: 4096, text: '+4096B' }],
  ])('reads %s', (value, budget) => {
    expect(parse({ 'size-budget': value }).sizeBudget).toEqual(budget);
  });

  it.each(['5 percent', '+5mb', '+2 MiB', '+2KB', '-5%', '+5%%', 'MiB'])(
    'refuses %s, naming the input, the value and the forms',
    (value) => {
      expect(() => parse({ 'size-budget': value })).toThrow(InputError);
      expect(() => parse({ 'size-budget': value })).toThrow(
        `Input 'size-budget': ${JSON.stringify(value)} is not valid. Use the growth allowed over the previous release as a percentage or a size, e.g. '+5%', '+2MiB' or '+500kB'; units are B, KiB, MiB, GiB (1024) and kB, MB, GB (1000), spelt exactly so, with no space.`,
      );
    },
  );

  it('takes auto, off, a tag or an existing manifest file as size-baseline', () => {
    expect(parse({}).sizeBaseline).toEqual({ kind: 'auto' });
    expect(parse({ 'size-baseline': 'off' }).sizeBaseline).toEqual({ kind: 'off' });
    expect(parse({ 'size-baseline': 'tools/v1.2.0' }).sizeBaseline).toEqual({
      kind: 'release',
      tag: 'tools/v1.2.0',
    });
    expect(() => parse({ 'size-baseline': 'nowhere/manifest.json' })).toThrow(
      /^Input 'size-baseline': "nowhere\/manifest.json" is not valid\. \/nowhere\/manifest.json is not an existing file/,
    );
    expect(() => parse({ 'size-baseline': 'off', 'size-budget': '+5%' })).toThrow(
      /^Input 'size-budget': "\+5%" is not valid\. A budget needs sizes to compare with, and size-baseline is 'off'/,
    );
  });
});
