// A release verified as its users receive it: a real build of the example module (linux amd64 and
// arm64, both darwin arches and their universal binary, windows), published to the GitHub stand-in
// through the real Octokit client, then downloaded again and checked: checksums.txt, each binary
// (archives opened) against its target, each SBOM against its binary, the universal binary's slices.
// Each tampering a user could meet is caught, with the asset named: the release step fails, and
// `go-build-matrix verify` (the bundled dist/cli.js) exits 1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryLogger } from '../../src/log.js';
import type { AssetRow, ReleaseVerification } from '../../src/verify-release/index.js';
import { verifyRelease } from '../../src/verify-release/index.js';
import { GitHubStandIn } from '../support/github-api.js';
import type { StandInAsset } from '../support/github-api.js';
import { REPO_ROOT } from '../support/toolchains.js';
import type { Build } from './harness.js';
import * as harness from './harness.js';
import { copyOf, sha256 } from './harness.js';

const TARGETS = 'linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64';

/** Every asset of the release, written by hand: the verification must have a row for each. */
const ASSETS = [
  'checksums.txt',
  'hello-darwin-amd64.cdx.json',
  'hello-darwin-amd64.tar.gz',
  'hello-darwin-arm64.cdx.json',
  'hello-darwin-arm64.tar.gz',
  'hello-darwin-universal.cdx.json',
  'hello-darwin-universal.tar.gz',
  'hello-linux-amd64.cdx.json',
  'hello-linux-amd64.tar.gz',
  'hello-linux-arm64.cdx.json',
  'hello-linux-arm64.tar.gz',
  'hello-windows-amd64.exe.cdx.json',
  'hello-windows-amd64.zip',
  'manifest.json',
];

let first: Build;
/** Another version of the same program: its SBOM is a stale one for `first`'s binary. */
let other: Build;
let api: GitHubStandIn;
const temps: string[] = [];

beforeAll(async () => {
  first = await harness.buildHello(TARGETS, 'v1.2.0', { universal: 'true' });
  other = await harness.buildHello('linux/amd64', 'v1.1.0');
}, 600_000);

afterEach(async () => {
  await api.stop();
});

afterAll(() => {
  for (const dir of [first.outputDir, other.outputDir, ...temps])
    rmSync(dir, { recursive: true, force: true });
});

async function newApi(): Promise<GitHubStandIn> {
  api = new GitHubStandIn({ immutableReleases: false });
  await api.start();
  api.tags.set('v1.2.0', { message: 'hello 1.2.0' });
  return api;
}

/** A copy of the build, removed after the tests. */
function copy(b: Build): Build {
  const c = copyOf(b);
  temps.push(c.baseDir);
  return c;
}

/** Publishes `first` with the release step, its verification off: the tests change the release after. */
async function publish(): Promise<void> {
  const run = await harness.release(api, copy(first));
  expect(run.error).toBeNull();
}

function asset(name: string): StandInAsset {
  const found = api.release('v1.2.0')?.assets.find((a) => a.name === name);
  if (found === undefined) throw new Error(`no asset ${name}`);
  return found;
}

function verify(): Promise<ReleaseVerification> {
  return verifyRelease({
    source: {
      kind: 'release',
      owner: api.owner,
      repo: api.repo,
      tag: 'v1.2.0',
      token: api.token,
      apiUrl: api.url,
      retryBaseMs: 5,
    },
    log: new MemoryLogger(),
  });
}

const failed = (v: ReleaseVerification): string[] =>
  v.rows.filter((r) => r.problems.length > 0).map((r) => r.asset);
const row = (v: ReleaseVerification, name: string): AssetRow => {
  const found = v.rows.find((r) => r.asset === name);
  if (found === undefined) throw new Error(`no row for ${name}`);
  return found;
};

/** One byte of the binary's code changed, deep inside the archive's compressed stream. */
function tampered(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const at = Math.floor(out.length / 2);
  out[at] = (out[at] ?? 0) ^ 0xff;
  return out;
}

/** `go-build-matrix …` from the bundled dist/cli.js. */
function distCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ code: error ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the release step verifies what it published', () => {
  it('a correct release passes every check of every asset', async () => {
    await newApi();
    const run = await harness.release(api, copy(first), { verifyRelease: true });
    expect(run.error).toBeNull();
    const v = run.result?.verification;
    if (!v) throw new Error('no verification');
    expect(v.ok).toBe(true);
    expect(v.rows.map((r) => r.asset).sort()).toEqual(ASSETS);
    expect(v.rows.filter((r) => r.problems.length > 0 || r.notes.length > 0)).toEqual([]);
    // Each check ran where it applies.
    const states = (name: string) => {
      const r = row(v, name);
      return [r.target, r.checksum, r.binary, r.sbom, r.slices];
    };
    expect(states('hello-linux-arm64.tar.gz')).toEqual(['linux/arm64', 'ok', 'ok', '-', '-']);
    expect(states('hello-windows-amd64.zip')).toEqual(['windows/amd64', 'ok', 'ok', '-', '-']);
    expect(states('hello-darwin-universal.tar.gz')).toEqual(['darwin/universal', 'ok', 'ok', '-', 'ok']);
    expect(states('hello-windows-amd64.exe.cdx.json')).toEqual(['windows/amd64', 'ok', '-', 'ok', '-']);
    expect(states('hello-darwin-universal.cdx.json')).toEqual(['darwin/universal', 'ok', '-', 'ok', '-']);
    // Every asset was downloaded as a user downloads it.
    expect(api.requests.filter((q) => q.path.startsWith('/download/'))).toHaveLength(ASSETS.length);
    expect(run.log.lines.some((l) => l.message.includes('Release v1.2.0: verified as downloaded'))).toBe(
      true,
    );
  });

  it('an asset changed on its way fails the step, naming the asset', async () => {
    await newApi();
    // Right after the release is published, before the step downloads it again.
    api.onAnswered = (record) => {
      if (record.method !== 'PATCH' || record.draft !== false) return;
      const a = asset('hello-linux-amd64.tar.gz');
      a.bytes = tampered(a.bytes);
      api.onAnswered = null;
    };
    const run = await harness.release(api, copy(first), { verifyRelease: true });
    expect(run.error?.message).toMatch(
      /^Release v1\.2\.0 was made, but 1 asset\(s\) as downloaded are not what this build made: hello-linux-amd64\.tar\.gz \(its sha256 is [0-9a-f]{64}, checksums\.txt says [0-9a-f]{64}; .*\)\. Delete or fix them \(verify-release: false skips this check\)\.$/,
    );
  });
});

describe('verify --release catches', () => {
  it('a tampered asset', async () => {
    await newApi();
    await publish();
    const a = asset('hello-windows-amd64.zip');
    a.bytes = tampered(a.bytes);
    const v = await verify();
    expect(failed(v)).toEqual(['hello-windows-amd64.zip']);
    const r = row(v, 'hello-windows-amd64.zip');
    expect(r.checksum).toBe('FAILED');
    expect(r.problems).toContain(
      `its sha256 is ${sha256(a.bytes)}, checksums.txt says ${first.manifest.artifacts.find((x) => x.target === 'windows/amd64')?.archiveSha256}`,
    );
  });

  it('a missing asset', async () => {
    await newApi();
    await publish();
    const r = api.release('v1.2.0');
    r?.assets.splice(r.assets.indexOf(asset('hello-darwin-arm64.tar.gz')), 1);
    const v = await verify();
    expect(failed(v)).toEqual(['hello-darwin-arm64.tar.gz']);
    expect(row(v, 'hello-darwin-arm64.tar.gz').problems).toEqual([
      'missing: the manifest lists it for darwin/arm64, and it is not there',
    ]);
    // Its SBOM has no binary to be compared with: said, not a failure of its own.
    expect(row(v, 'hello-darwin-arm64.cdx.json')).toMatchObject({
      checksum: 'ok',
      sbom: '-',
      notes: ['not compared: the darwin/arm64 binary could not be read (see its row)'],
    });
  });

  it('a linux/arm64 and linux/amd64 pair whose names were swapped', async () => {
    await newApi();
    await publish();
    const amd64 = asset('hello-linux-amd64.tar.gz');
    const arm64 = asset('hello-linux-arm64.tar.gz');
    [amd64.name, arm64.name] = [arm64.name, amd64.name];
    const v = await verify();
    // The SBOMs no longer match the binaries either.
    expect(failed(v).sort()).toEqual([
      'hello-linux-amd64.cdx.json',
      'hello-linux-amd64.tar.gz',
      'hello-linux-arm64.cdx.json',
      'hello-linux-arm64.tar.gz',
    ]);
    for (const [name, target, machine] of [
      ['hello-linux-amd64.tar.gz', 'linux/amd64', 'arm64'],
      ['hello-linux-arm64.tar.gz', 'linux/arm64', 'amd64'],
    ] as const) {
      const r = row(v, name);
      expect([r.checksum, r.binary]).toEqual(['FAILED', 'FAILED']);
      expect(r.problems.find((p) => p.startsWith(`the binary is not ${target}: `))).toMatch(machine);
    }
  });

  it('a stale SBOM (of another version), even with checksums.txt made to match it', async () => {
    await newApi();
    await publish();
    const stale = readFileSync(path.resolve('/', other.manifest.artifacts[0]?.sboms?.[0] ?? 'no sbom'));
    const sbom = asset('hello-linux-amd64.cdx.json');
    const checksums = asset('checksums.txt');
    checksums.bytes = Buffer.from(
      checksums.bytes.toString('utf8').replace(sha256(sbom.bytes), sha256(stale)),
    );
    sbom.bytes = stale;
    const v = await verify();
    // checksums.txt is not in itself; the manifest records no SBOM hash: only the SBOM check can tell.
    expect(failed(v)).toEqual(['hello-linux-amd64.cdx.json']);
    const r = row(v, 'hello-linux-amd64.cdx.json');
    expect([r.checksum, r.sbom]).toEqual(['ok', 'FAILED']);
    const binary = first.manifest.artifacts.find((a) => a.target === 'linux/amd64')?.sha256;
    expect(r.problems).toContain(
      `the SBOM does not describe the linux/amd64 binary: go-build-matrix:binary:sha256 is ${JSON.stringify(other.manifest.artifacts[0]?.sha256)}, the binary's is ${JSON.stringify(binary)}`,
    );
  });
});

describe('dist/cli.js verify', () => {
  it('--release: exit 0 with the table, 1 naming the asset, 2 for a usage error', async () => {
    await newApi();
    await publish();
    const env = { GITHUB_TOKEN: api.token, GITHUB_API_URL: api.url, GO_BUILD_MATRIX_API_RETRY_MS: '5' };
    const good = await distCli(['verify', '--release', 'octo/hello@v1.2.0'], env, os.tmpdir());
    expect([good.code, good.stderr]).toEqual([
      0,
      `Verify octo/hello@v1.2.0: downloaded ${ASSETS.length} asset(s) of the release.\n`,
    ]);
    const lines = good.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ASSET +TARGET +CHECKSUM +BINARY +SBOM +SLICES +RESULT$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^hello-darwin-universal\.tar\.gz +darwin\/universal +ok +ok +- +ok +ok$/),
    );
    expect(lines.at(-1)).toBe(`octo/hello@v1.2.0: all ${ASSETS.length} asset(s) verified`);

    const a = asset('hello-linux-arm64.tar.gz');
    a.bytes = tampered(a.bytes);
    const bad = await distCli(['verify', '--release', 'octo/hello@v1.2.0'], env, os.tmpdir());
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^hello-linux-arm64\.tar\.gz +linux\/arm64 +FAILED .*FAILED$/m);
    expect(bad.stdout).toMatch(/^hello-linux-arm64\.tar\.gz: its sha256 is /m);
    expect(bad.stdout.trimEnd().split('\n').at(-1)).toBe(
      `octo/hello@v1.2.0: 1 of ${ASSETS.length} asset(s) failed verification: hello-linux-arm64.tar.gz`,
    );

    const none = await distCli(['verify', '--release', 'octo/hello@v9.9.9'], env, os.tmpdir());
    expect([none.code, none.stdout, none.stderr]).toEqual([
      1,
      '',
      'error: octo/hello@v9.9.9: the repository has no release of tag v9.9.9.\n',
    ]);
    const absent = await distCli(['verify', '--manifest', 'nowhere/manifest.json'], env, os.tmpdir());
    expect([absent.code, absent.stderr]).toEqual([
      2,
      `error: --manifest nowhere/manifest.json: ${path.join(os.tmpdir(), 'nowhere/manifest.json')} is not a file\n`,
    ]);
    const usage = await distCli(['verify', '--release', 'hello'], env, os.tmpdir());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/release.*"hello".*OWNER\/REPO@TAG/);
    const both = await distCli(
      ['verify', '--release', 'octo/hello@v1', '--manifest', 'm.json'],
      env,
      os.tmpdir(),
    );
    expect([both.code, both.stderr]).toEqual([2, 'error: verify takes --release or --manifest, not both\n']);
  });

  it('--manifest: the files on disk where the build wrote them; a tampered one is named', async () => {
    const b = copy(first);
    const manifest = path.join(b.outputDir, 'manifest.json');
    writeFileSync(manifest, `${JSON.stringify(b.manifest, null, 2)}\n`);
    // Run from elsewhere: the manifest's place says where the workspace is.
    const good = await distCli(['verify', '--manifest', manifest], {}, os.tmpdir());
    expect([good.code, good.stderr]).toEqual([0, '']);
    // Every file of the release but manifest.json, which a build's output-dir holds as the run's own.
    expect(good.stdout.trimEnd().split('\n').at(-1)).toBe(
      `${manifest}: all ${ASSETS.length - 1} asset(s) verified`,
    );

    const sbom = path.resolve(
      b.baseDir,
      first.manifest.artifacts.find((a) => a.target === 'darwin/universal')?.sboms?.[0] ?? '',
    );
    writeFileSync(
      sbom,
      readFileSync(sbom, 'utf8').replace('"go-build-matrix:target"', '"go-build-matrix:target "'),
    );
    const bad = await distCli(['verify', '--manifest', path.relative(b.baseDir, manifest)], {}, b.baseDir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^hello-darwin-universal\.cdx\.json +darwin\/universal +FAILED +- +FAILED +- +FAILED$/m,
    );
    expect(bad.stdout).toContain(
      'hello-darwin-universal.cdx.json: the SBOM does not describe the darwin/universal binary: go-build-matrix:target is absent, the binary\'s is "darwin/universal"',
    );
  });
});
