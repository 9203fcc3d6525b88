// The release through the bundled action (dist/index.js) under the runner contract: a build job
// that publishes its own release, and the reusable workflow's shape — plan, build legs that
// upload their results, one collect job that checks every leg and publishes — against the
// results-service emulation and the GitHub release API stand-in.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { copyModule, tempDir } from '../support/engine.js';
import { GitHubStandIn } from '../support/github-api.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { runAction } from '../support/runner.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from '../support/toolchains.js';

const tc = toolchain('1.26');
let service: ResultsService;
let api: GitHubStandIn;

beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});
afterEach(async () => {
  await api.stop();
});

async function newApi(): Promise<void> {
  api = new GitHubStandIn({ immutableReleases: true });
  await api.start();
  api.tags.set('v2.0.0', { message: 'hello 2.0.0' });
}

function githubEnv(): Record<string, string> {
  return {
    GITHUB_REF: 'refs/tags/v2.0.0',
    GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
    GITHUB_API_URL: api.url,
    GO_BUILD_MATRIX_API_RETRY_MS: '5',
  };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** sha256sum lines as name → digest. */
function sums(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [digest, name] = line.split('  ');
        return [name, digest];
      }),
  );
}

function releaseAssets(): Record<string, string> {
  const r = api.release('v2.0.0');
  return Object.fromEntries(
    (r?.assets ?? []).map((a) => [a.name, createHash('sha256').update(a.bytes).digest('hex')]),
  );
}

describe('a build job with release: true on a tag', () => {
  it('publishes the release, sets release-url and attestation-subjects, and adds the release to the summary', async () => {
    await newApi();
    const workspace = tempDir('release-action');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    const r = await runAction(
      workspace,
      {
        targets: 'linux/amd64 windows/arm64',
        'working-directory': 'app',
        release: 'true',
        'github-token': api.token,
        cache: 'false',
      },
      goEnv(tc, githubEnv()),
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs['release-url']).toBe('https://github.com/octo/hello/releases/tag/v2.0.0');
    expect(r.outputs['attestation-subjects']).toBe('app/dist/attestation-subjects.sha256');
    const dist = path.join(workspace, 'app', 'dist');
    const subjects = sums(
      readFileSync(path.join(workspace, r.outputs['attestation-subjects'] ?? ''), 'utf8'),
    );
    // sbom 'auto' makes SBOMs because a release is asked for.
    expect(Object.keys(subjects).sort()).toEqual([
      'checksums.txt',
      'hello-linux-amd64.cdx.json',
      'hello-linux-amd64.tar.gz',
      'hello-windows-arm64.exe.cdx.json',
      'hello-windows-arm64.zip',
      'manifest.json',
    ]);
    // manifest.json is the release's view of the manifest, written beside the run's own.
    const onDisk = (name: string) => (name === 'manifest.json' ? 'release-manifest.json' : name);
    for (const [name, digest] of Object.entries(subjects))
      expect(sha256(path.join(dist, onDisk(name)))).toBe(digest);
    expect(releaseAssets()).toEqual(subjects);
    expect(api.release('v2.0.0')).toMatchObject({ draft: false, immutable: true, body: 'hello 2.0.0' });
    expect(r.summary).toContain('### Release [v2.0.0](https://github.com/octo/hello/releases/tag/v2.0.0)');
    expect(r.summary).toContain('Release v2.0.0: published, 6 asset(s): 6 added, 0 replaced, 0 unchanged');
    // verify-release is on by default: the release was downloaded again and verified.
    expect(r.stdout).toContain('::group::Release v2.0.0: verified as downloaded (6 of 6 asset(s) ok)');
    expect(r.summary).toMatch(/^\| `hello-linux-amd64\.tar\.gz` \| added \| `[0-9a-f]{12}` \|$/m);
    expect(r.stdout.replace(`::add-mask::${api.token}`, '')).not.toContain(api.token);
  });

  it('without a permission the build still passes, with a warning naming contents: write', async () => {
    await newApi();
    api.denyWrites = true;
    const workspace = tempDir('release-action-403');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    const r = await runAction(
      workspace,
      {
        targets: 'linux/amd64',
        'working-directory': 'app',
        release: 'true',
        'github-token': api.token,
        cache: 'false',
      },
      goEnv(tc, githubEnv()),
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /^::warning::Release v2\.0\.0 was not made: GitHub refused with 403 .*'permissions: contents: write'/m,
    );
    expect(r.outputs['release-url']).toBe('');
    expect(api.releases).toEqual([]);
  });
});

describe('plan → build legs → one collect job that publishes', () => {
  async function fanOut(run: string, legsToRun: number[]) {
    const workspace = tempDir('release-collect');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    // As the reusable release workflow passes them: the legs make SBOMs, only collect releases.
    const common = {
      targets: 'linux/amd64 linux/arm64 windows/amd64 darwin/arm64',
      'working-directory': 'app',
      cache: 'false',
      sbom: 'cyclonedx',
    };
    const plan = await runAction(
      workspace,
      { ...common, mode: 'plan', chunks: '2' },
      goEnv(tc, service.envFor(run, 'plan')),
    );
    const chunks = (JSON.parse(plan.outputs.matrix ?? '') as { include: { targets: string }[] }).include.map(
      (c) => c.targets,
    );
    for (const leg of legsToRun) {
      const legWorkspace = tempDir(`release-leg${leg}`);
      copyModule(EXAMPLE_MODULE, path.join(legWorkspace, 'app'));
      const r = await runAction(
        legWorkspace,
        { ...common, targets: chunks[leg] as string },
        goEnv(tc, service.envFor(run, `build-${leg}`)),
      );
      expect(r.exitCode).toBe(0);
    }
    const collect = await runAction(
      workspace,
      { ...common, mode: 'collect', release: 'true', 'github-token': api.token },
      goEnv(tc, { ...service.envFor(run, 'collect'), ...githubEnv() }),
    );
    return { workspace, collect };
  }

  it('publishes every leg’s archives and SBOMs and the merged checksums.txt', async () => {
    await newApi();
    const { workspace, collect } = await fanOut('run-release', [0, 1]);
    expect(collect.stdout).not.toContain('::error::');
    expect(collect.exitCode).toBe(0);
    expect(collect.outputs.built).toBe('4');
    const subjects = sums(
      readFileSync(path.join(workspace, collect.outputs['attestation-subjects'] ?? ''), 'utf8'),
    );
    expect(Object.keys(subjects).sort()).toEqual(
      [
        'checksums.txt',
        ...['linux-amd64', 'linux-arm64', 'darwin-arm64'].flatMap((t) => [
          `hello-${t}.tar.gz`,
          `hello-${t}.cdx.json`,
        ]),
        'hello-windows-amd64.zip',
        'hello-windows-amd64.exe.cdx.json',
        'manifest.json',
      ].sort(),
    );
    expect(releaseAssets()).toEqual(subjects);
    expect(api.release('v2.0.0')).toMatchObject({ draft: false, immutable: true });
    expect(collect.outputs['release-url']).toBe('https://github.com/octo/hello/releases/tag/v2.0.0');
  });

  it('a leg that never delivered: collect fails and GitHub is never asked to change anything', async () => {
    await newApi();
    const { collect } = await fanOut('run-release-missing', [0]);
    expect(collect.exitCode).toBe(1);
    expect(collect.stdout).toMatch(
      /^::error::Release v2\.0\.0 was not made: .* never arrived, and a release holds every target or none\.$/m,
    );
    expect(api.writes()).toEqual([]);
  });
});
