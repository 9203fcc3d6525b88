// The CLI's --release path end to end against the GitHub stand-in (no other test passes
// --release with what a release needs), and the release refusals that only a caller other than
// the CLI can reach: no token, no OWNER/REPO, a file name GitHub would change.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_FAILED, EXIT_OK } from '../../src/cli/main.js';
import { MemoryLogger } from '../../src/log.js';
import { makeClient } from '../../src/github/client.js';
import { ReleaseApi } from '../../src/release/remote.js';
import { handOff } from '../../src/release/step.js';
import { cli } from '../support/cli.js';
import { copyModule, tempDir } from '../support/engine.js';
import { GitHubStandIn } from '../support/github-api.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from '../support/toolchains.js';
import type { Build } from './harness.js';
import { buildHello, copyOf } from './harness.js';

const tc = toolchain('1.26');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let api: GitHubStandIn;
async function newApi(): Promise<GitHubStandIn> {
  api = new GitHubStandIn();
  await api.start();
  api.tags.set('v1.2.0', { message: 'hello 1.2.0' });
  return api;
}
afterEach(async () => {
  await api.stop();
});

/** Every file under `dir` a release ships, read from disk: archives, SBOMs, checksums.txt and the release's manifest. */
function shippable(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(tar\.gz|zip|cdx\.json)$/.test(name) || name === 'checksums.txt') {
        out[name] = sha256(readFileSync(file));
      } else if (name === 'release-manifest.json') out['manifest.json'] = sha256(readFileSync(file));
    }
  };
  walk(dir);
  return out;
}

/** `go-build-matrix build --release …` in a copy of examples/hello, with the tag and repository set. */
async function cliRelease(ref: string, extraEnv: Record<string, string> = {}) {
  const dir = tempDir('cli-release');
  copyModule(EXAMPLE_MODULE, dir);
  const out = path.join(dir, 'dist');
  const env = goEnv(tc, {
    GITHUB_REF: ref,
    GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
    GITHUB_API_URL: api.url,
    GO_BUILD_MATRIX_API_RETRY_MS: '5',
    ...extraEnv,
  });
  const run = await cli(
    ['build', '--targets', 'linux/amd64,windows/amd64', '--output-dir', out, '--release'],
    env,
    dir,
  );
  return { ...run, out };
}

describe('go-build-matrix build --release', () => {
  it('publishes the release with the token from GH_TOKEN: every archive, SBOM, checksums.txt and manifest.json, then verifies it', async () => {
    await newApi();
    const r = await cliRelease('refs/tags/v1.2.0', { GH_TOKEN: api.token });
    expect([r.code, r.stderr.split('\n').filter((l) => l.startsWith('error'))]).toEqual([EXIT_OK, []]);
    const files = shippable(r.out);
    expect(Object.keys(files).sort()).toEqual([
      'checksums.txt',
      'hello-linux-amd64.cdx.json',
      'hello-linux-amd64.tar.gz',
      'hello-windows-amd64.exe.cdx.json',
      'hello-windows-amd64.zip',
      'manifest.json',
    ]);
    const release = api.release('v1.2.0');
    expect(release?.draft).toBe(false);
    expect(Object.fromEntries((release?.assets ?? []).map((a) => [a.name, sha256(a.bytes)]))).toEqual(files);
    expect(r.stdout).toContain('Release v1.2.0: published, 6 asset(s): 6 added, 0 replaced, 0 unchanged');
    // verify-release is on by default: every asset was downloaded again and verified.
    expect(r.stderr).toContain('Release v1.2.0: verified as downloaded (6 of 6 asset(s) ok)');
    expect(api.requests.filter((q) => q.path.startsWith('/download/'))).toHaveLength(6);
    // The stand-in answers 401 to any other token: GH_TOKEN's is the one that reached GitHub.
    expect(api.requests.map((q) => q.status)).not.toContain(401);
  });

  it('with a GH_TOKEN GitHub does not know, fails with exit 1 and publishes nothing', async () => {
    await newApi();
    const r = await cliRelease('refs/tags/v1.2.0', { GH_TOKEN: 'ghs_not_the_token' });
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.stderr).toMatch(/^error: Release v1\.2\.0: GitHub answered 401/m);
    expect(api.releases).toEqual([]);
  });

  it('fails with exit 1 when the tag is not on GitHub, naming the tag, the repository and the fix', async () => {
    await newApi();
    const r = await cliRelease('refs/tags/v9.9.9', { GITHUB_TOKEN: api.token });
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.stderr).toMatch(/^error: Tag v9\.9\.9 is not in octo\/hello on GitHub; push the tag/m);
    expect(api.releases).toEqual([]);
  });
});

describe('the release refuses before any call', () => {
  let hello: Build;
  beforeAll(async () => {
    hello = await buildHello('linux/amd64', 'v1.2.0');
  }, 600_000);

  async function handOffWith(env: Record<string, string>, token: string, b: Build = hello) {
    const build = copyOf(b);
    return handOff({
      manifest: build.manifest,
      options: {
        outputDir: build.outputDir,
        release: 'true',
        releaseNotes: 'auto',
        prerelease: 'auto',
        makeLatest: 'true',
        verifyRelease: true,
        githubToken: token,
      },
      baseDir: build.baseDir,
      env: { GITHUB_API_URL: api.url, GO_BUILD_MATRIX_API_RETRY_MS: '5', ...env },
      log: new MemoryLogger(),
      missing: [],
    });
  }

  it('without a token, naming the permission and where the token comes from', async () => {
    await newApi();
    await expect(
      handOffWith({ GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_REPOSITORY: 'octo/hello' }, ''),
    ).rejects.toThrow(
      "Release v1.2.0 needs a token with 'contents: write' (input github-token; GITHUB_TOKEN on the command line).",
    );
    expect(api.requests).toEqual([]);
  });

  it('without OWNER/REPO in GITHUB_REPOSITORY, showing what it got', async () => {
    await newApi();
    await expect(
      handOffWith({ GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_REPOSITORY: 'hello' }, api.token),
    ).rejects.toThrow('A release needs the repository as OWNER/REPO in GITHUB_REPOSITORY (got "hello").');
    expect(api.requests).toEqual([]);
  });

  it('when GitHub would store a file under another name, naming it and the inputs to change', async () => {
    await newApi();
    const b = copyOf(hello);
    const entry = b.manifest.artifacts[0];
    const archive = path.resolve(b.baseDir, entry?.archive ?? '');
    const renamed = path.join(path.dirname(archive), 'hello linux(amd64).tar.gz');
    renameSync(archive, renamed);
    const manifest = {
      ...b.manifest,
      artifacts: [{ ...entry, archive: path.relative(b.baseDir, renamed) } as typeof entry & object],
    };
    await expect(
      handOffWith({ GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_REPOSITORY: 'octo/hello' }, api.token, {
        outputDir: b.outputDir,
        manifest,
        baseDir: b.baseDir,
      }),
    ).rejects.toThrow(
      `GitHub would store the release file "hello linux(amd64).tar.gz" (" " "(" ")") under another name (it turns such characters into '.'), so checksums.txt and the attestation would name files the release does not hold. Use only ASCII letters, digits, '.', '_', '-' and '+', with no '.' first or last in 'name-template' and in the version it takes ({version}: the 'version' input or the tag).`,
    );
    expect(api.requests).toEqual([]);
  });
});

describe('an upload GitHub stores under another name', () => {
  it('fails, naming both names and the fix (the names are checked before; this is the server disagreeing)', async () => {
    await newApi();
    const client = await makeClient({ token: api.token, baseUrl: api.url, retryBaseMs: 5 });
    const remote = new ReleaseApi(client, { owner: api.owner, repo: api.repo }, new MemoryLogger(), 5);
    const draft = await remote.createDraft({ tag: 'v1.2.0', prerelease: false, notes: { body: '' } });
    const file = path.join(tempDir('rename'), 'notes.txt');
    writeFileSync(file, 'notes\n');
    const bytes = readFileSync(file);
    await expect(
      remote.upload(
        draft,
        { name: 'notes (1).txt', file, sha256: sha256(bytes), size: bytes.length },
        'notes (1).txt',
      ),
    ).rejects.toThrow(
      'GitHub stored the upload "notes (1).txt" as "notes..1..txt"; the release, checksums.txt and the attestation would disagree. Rename the file so that GitHub keeps its name.',
    );
  });
});
