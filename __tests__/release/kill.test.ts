// The bundled CLI killed (SIGKILL) while it replaces the assets of a published release, at the
// worst moments: right after the old asset was deleted, and right after the first successor was
// uploaded. The re-run of the same command must leave exactly the build's files, with no
// temporary asset.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Build } from './harness.js';
import { buildHello, published, releaseManifest, sha256 } from './harness.js';
import { GitHubStandIn } from '../support/github-api.js';
import { copyModule, tempDir } from '../support/engine.js';
import { goEnv, REPO_ROOT, toolchain } from '../support/toolchains.js';

const TARGETS = 'linux/amd64 windows/amd64';
let older: Build;
let api: GitHubStandIn;
const source = tempDir('kill-src');

beforeAll(async () => {
  older = await buildHello(TARGETS, 'v1.1.9');
  copyModule(path.join(REPO_ROOT, 'examples', 'hello'), source);
}, 600_000);

afterEach(async () => {
  await api.stop();
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** `go-build-matrix build --release` from dist/cli.js; `killWhen` decides after each answered request. */
function releaseWithCli(
  outputDir: string,
  killWhen: ((method: string, p: string) => boolean) | null,
): Promise<Exit> {
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'dist', 'cli.js'),
      'build',
      '--working-directory',
      source,
      '--output-dir',
      outputDir,
      '--targets',
      TARGETS,
      '--version',
      'v1.2.0',
      '--ldflags',
      '-s -w -X main.version={version}',
      '--sbom',
      'cyclonedx',
      '--release=true',
    ],
    {
      env: {
        ...goEnv(toolchain('1.26')),
        GITHUB_REF: 'refs/tags/v1.2.0',
        GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
        GITHUB_API_URL: api.url,
        GITHUB_TOKEN: api.token,
        GO_BUILD_MATRIX_API_RETRY_MS: '5',
        // The module is no git checkout: without a commit date, archive times would be the clock's.
        SOURCE_DATE_EPOCH: '1764806400',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  api.onAnswered = (record) => {
    if (killWhen?.(record.method, record.path)) {
      killWhen = null;
      child.kill('SIGKILL');
    }
  };
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

function seed(): void {
  const r = api.seedRelease('v1.2.0');
  for (const a of older.manifest.artifacts) {
    for (const p of [a.archive ?? a.path, ...(a.sboms ?? [])]) {
      if (p === null) continue;
      const file = path.resolve('/', p);
      api.seedAsset(r, path.basename(file), readFileSync(file));
    }
  }
  api.seedAsset(r, 'checksums.txt', readFileSync(path.resolve('/', older.manifest.checksums ?? '')));
  api.seedAsset(r, 'manifest.json', releaseManifest(older));
}

/** What the release must hold: the archives, SBOMs, checksums.txt and release manifest the CLI left in output-dir. */
function shipped(outputDir: string): Record<string, string> {
  const asset = (n: string) => (n === 'release-manifest.json' ? 'manifest.json' : n);
  return Object.fromEntries(
    readdirSync(outputDir)
      .filter(
        (n) => /\.(tar\.gz|zip|cdx\.json)$/.test(n) || n === 'checksums.txt' || n === 'release-manifest.json',
      )
      .map((n) => [asset(n), sha256(readFileSync(path.join(outputDir, n)))]),
  );
}

describe('the CLI killed while it replaces release assets', () => {
  const moments: [string, (method: string, p: string) => boolean][] = [
    ['right after deleting an old asset', (m, p) => m === 'DELETE' && p.includes('/releases/assets/')],
    ['right after uploading the first successor', (m, p) => m === 'POST' && p.startsWith('/uploads/')],
  ];
  for (const [moment, killWhen] of moments) {
    it(`${moment}: the re-run leaves exactly the build's files`, async () => {
      api = new GitHubStandIn();
      await api.start();
      api.tags.set('v1.2.0', { message: 'hello 1.2.0' });
      seed();
      const outputDir = tempDir('kill-out');
      const killed = await releaseWithCli(outputDir, killWhen);
      expect(killed.signal).toBe('SIGKILL');
      const left = Object.keys(published(api));
      expect(left.some((n) => n.includes('.replacing-'))).toBe(true);
      const rerun = await releaseWithCli(outputDir, null);
      expect([rerun.code, rerun.stderr]).toEqual([
        0,
        expect.stringContaining('Release v1.2.0: already published'),
      ]);
      // The successor uploaded before the kill holds the same bytes, so it is used, not uploaded again.
      if (moment.includes('upload')) expect(rerun.stderr).not.toContain('removing what an earlier run left');
      expect(published(api)).toEqual(shipped(outputDir));
      expect(Object.keys(shipped(outputDir))).toHaveLength(6);
      // The re-run verified the release as downloaded (verify-release is on by default).
      expect(rerun.stderr).toContain('Release v1.2.0: verified as downloaded (6 of 6 asset(s) ok)');
      expect(api.release('v1.2.0')?.draft).toBe(false);
    }, 120_000);
  }
});
