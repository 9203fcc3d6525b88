// The bundled action with the REAL @actions/cache and @actions/artifact clients, against the
// local results-service emulation, through the runner contract: cache restore and save
// across runs, fan-out jobs that do not collide, service faults that only warn, uploads that
// retry, and artifacts that come back byte for byte with their exec bit.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../src/report/manifest.js';
import { copyModule, tempDir } from './support/engine.js';
import { moduleWithDependency } from './support/modules.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import type { RunnerResult } from './support/runner.js';
import { runAction } from './support/runner.js';
import type { Release, Toolchain } from './support/toolchains.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.23');

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});
afterEach(() => service.clearFaults());

/** One fresh "runner": its own GOCACHE and GOMODCACHE, emptied like a new VM's. */
function runner(): { GOCACHE: string; GOMODCACHE: string; wipe: () => Promise<void> } {
  const root = tempDir('runner');
  const dirs = { GOCACHE: path.join(root, 'gocache'), GOMODCACHE: path.join(root, 'gomodcache') };
  return {
    ...dirs,
    wipe: async () => {
      // Module files are read-only; go clean knows how to remove them.
      await execFileAsync(tc.go, ['clean', '-modcache'], { env: goEnv(tc, dirs) }).catch(() => undefined);
      rmSync(dirs.GOCACHE, { recursive: true, force: true });
    },
  };
}

async function action(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  go: Toolchain = tc,
): Promise<RunnerResult & { manifest: Manifest | null }> {
  const r = await runAction(
    workspace,
    inputs,
    goEnv(go, { ...service.env, GO_BUILD_MATRIX_CACHE_TIMEOUT_MS: '4000', ...env }),
  );
  const manifestPath = r.outputs.manifest ? path.join(workspace, r.outputs.manifest) : null;
  return {
    ...r,
    manifest: manifestPath ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest) : null,
  };
}

/**
 * The start of a module's GOMODCACHE key on this runner (Linux, X64), as README gives it:
 * `{prefix}-gomod-{OS}-{ARCH}-{hash of the module path}-{hash of go.sum}-`, the hashes the first 8
 * and 16 hex digits of sha256. From Go's and sha256sum's answers, not src/cache/keys.ts, whose key
 * the test checks.
 */
async function modulesKeyStart(go: Toolchain, prefix: string, dir: string): Promise<string> {
  const sha256sum = (file: string, input = ''): string =>
    execFileSync('sha256sum', [file], { input, encoding: 'utf8' }).split(' ')[0] ?? '';
  const { stdout } = await execFileAsync(go.go, ['list', '-m'], {
    cwd: dir,
    env: goEnv(go, { GOPROXY: 'off' }),
  });
  const moduleHash = sha256sum('-', stdout.trim()).slice(0, 8);
  return `${prefix}-gomod-Linux-X64-${moduleHash}-${sha256sum(path.join(dir, 'go.sum')).slice(0, 16)}-`;
}

const compiles = (stdout: string): number => stdout.split('\n').filter((l) => /\/compile -o /.test(l)).length;

// The two supported releases, and 1.23 to keep an older toolchain covered.
describe.each<Release>(['1.23', '1.26', '1.27'])('build cache through the action with Go %s', (release) => {
  const go = toolchain(release);
  /** This toolchain's entries only: the service keeps every describe's. */
  const entriesOf = (prefix: string) =>
    service
      .cacheEntries()
      .map((e) => e.key)
      .filter((key) => key.startsWith(`${prefix}-`));

  it('a second run on the same commit restores GOCACHE and GOMODCACHE and compiles nothing; a third takes its binaries', async () => {
    const app = await moduleWithDependency(go);
    const workspace = path.dirname(app.dir);
    const vm = runner();
    const env = { GOCACHE: vm.GOCACHE, GOMODCACHE: vm.GOMODCACHE, GOPROXY: app.proxy, GOSUMDB: 'off' };
    const prefix = `same-commit-${release}`;
    const inputs = {
      targets: 'linux/amd64 linux/arm64',
      'working-directory': 'app',
      flags: '-x',
      upload: 'false',
      'cache-key-prefix': prefix,
    };
    const first = await action(workspace, inputs, { ...env, GITHUB_RUN_ID: '1001' }, go);
    expect(first.exitCode).toBe(0);
    expect(first.outputs['cache-hit']).toBe('false');
    expect(first.manifest?.cache?.savedBytes).toBeGreaterThan(1_000_000);
    expect(compiles(first.stdout)).toBeGreaterThan(20);
    const saved = entriesOf(prefix);
    const gocacheKey = new RegExp(
      `^${prefix}-gocache-Linux-X64-${first.manifest?.go.version}-[0-9a-f]{8}-[0-9a-f]{16}-\\d+-1001-1$`,
    );
    // GOMODCACHE, GOCACHE, and on top of GOCACHE a delta with the binaries.
    const deltaKey = (run: number) =>
      new RegExp(`^${prefix}-gocache-delta-Linux-X64-[0-9a-f]{16}-[0-9a-f]{16}-[0-9a-f]{16}-\\d+-${run}-1$`);
    expect(saved).toEqual([
      expect.stringMatching(new RegExp(`^${await modulesKeyStart(go, prefix, app.dir)}\\d+$`)),
      expect.stringMatching(gocacheKey),
      expect.stringMatching(deltaKey(1001)),
    ]);
    expect(first.manifest?.go.version).toMatch(new RegExp(`^go${release.replace('.', '\\.')}\\.\\d+$`));

    await vm.wipe();
    // Other link flags: the binaries differ (so they are not reused) and nothing compiles again.
    const relinked = { ...inputs, ldflags: '-s -w -X main.version=2' };
    const second = await action(workspace, relinked, { ...env, GITHUB_RUN_ID: '1002', GOPROXY: 'off' }, go);
    expect(second.exitCode).toBe(0);
    expect(second.outputs['cache-hit']).toBe('true');
    expect(second.manifest?.cache?.restoredBytes).toBeGreaterThan(1_000_000);
    // Served from the restored cache: not one package compiled, modules came from GOMODCACHE with GOPROXY=off.
    expect(compiles(second.stdout)).toBe(0);
    // No new build output in GOCACHE (only the module index of the freshly copied sources): no
    // copy of the entry is uploaded, only a delta with the relinked binaries.
    expect(second.manifest?.cache?.compiled).toBe(0);
    expect(second.stdout).toMatch(/GOCACHE delta: saved 0 entries beside the restored one and 2 binaries/);
    expect(second.manifest?.cache?.saved?.map((e) => e.name)).toEqual(['delta']);
    expect(entriesOf(prefix)).toEqual([
      saved[0],
      saved[1],
      expect.stringMatching(deltaKey(1001)),
      expect.stringMatching(deltaKey(1002)),
    ]);

    // The same inputs again: the binaries of 1002's delta, no GOCACHE, nothing built or saved.
    await vm.wipe();
    const third = await action(workspace, relinked, { ...env, GITHUB_RUN_ID: '1003', GOPROXY: 'off' }, go);
    expect(third.exitCode).toBe(0);
    expect(third.manifest?.cache).toMatchObject({ hit: 'true', reused: 2, savedBytes: 0 });
    expect(third.stdout).not.toMatch(/\/compile |\/link /);
    expect(third.manifest?.artifacts.map((a) => a.sha256)).toEqual(
      second.manifest?.artifacts.map((a) => a.sha256),
    );
  });

  it('five runs with source edits each restore the first entry and the previous delta, which does not grow', async () => {
    const workspace = tempDir('edits');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    const vm = runner();
    const sizes: number[] = [];
    for (let run = 1; run <= 5; run++) {
      writeFileSync(path.join(workspace, 'app', 'edit.go'), `package main\n\nconst edit = ${run}\n`);
      await vm.wipe();
      const r = await action(
        workspace,
        {
          targets: 'linux/arm64',
          'working-directory': 'app',
          upload: 'false',
          'cache-key-prefix': `edits-${release}`,
        },
        { GOCACHE: vm.GOCACHE, GOMODCACHE: vm.GOMODCACHE, GITHUB_RUN_ID: String(2000 + run) },
        go,
      );
      expect([run, r.exitCode]).toEqual([run, 0]);
      if (run > 1) {
        expect([run, r.outputs['cache-hit'], r.manifest?.cache?.restoredBytes]).toEqual([
          run,
          'true',
          expect.any(Number),
        ]);
        expect(r.stdout).toMatch(new RegExp(`GOCACHE: restored .*edits-${release}-gocache-.*-2001-1`));
        expect(r.stdout).toMatch(
          new RegExp(
            `GOCACHE delta: restored \\d+ entries .* from edits-${release}-gocache-delta-.*-${2000 + run - 1}-1,`,
          ),
        );
        expect(r.manifest?.cache?.saved?.map((e) => e.name)).toEqual(['delta']);
      }
      sizes.push(r.manifest?.cache?.savedBytes ?? 0);
    }
    console.log(`Go ${release}: saved over five edited runs (bytes): ${sizes.join(' ')}`);
    const [whole = 0, ...deltas] = sizes;
    expect(whole).toBeGreaterThan(1_000_000);
    // Each delta holds what the last edit compiled, not every edit's: it stays small and the same size.
    for (const d of deltas) expect(d).toBeLessThan(whole / 4);
    expect(Math.max(...deltas) / Math.min(...deltas)).toBeLessThan(1.2);
  });
});

describe('build cache through the action', () => {
  it('two jobs of one matrix with different targets save under different keys', async () => {
    const workspace = tempDir('fanout');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    const before = service.cacheEntries().length;
    for (const targets of ['linux/amd64', 'windows/amd64']) {
      const vm = runner();
      const r = await action(
        workspace,
        { targets, 'working-directory': 'app', upload: 'false', 'cache-key-prefix': 'fanout' },
        { GOCACHE: vm.GOCACHE, GOMODCACHE: vm.GOMODCACHE, GITHUB_RUN_ID: '3000' },
      );
      expect(r.exitCode).toBe(0);
    }
    const keys = service
      .cacheEntries()
      .slice(before)
      .map((e) => e.key)
      .filter((key) => /^fanout-gocache-Linux/.test(key));
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it('refused connections: every target still builds, with a warning', async () => {
    const down = await startResultsService();
    try {
      const workspace = tempDir('fault');
      copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
      await down.refuseConnections();
      const vm = runner();
      const r = await runAction(
        workspace,
        { targets: 'linux/amd64 linux/arm64', 'working-directory': 'app', upload: 'false' },
        goEnv(tc, { ...down.env, GOCACHE: vm.GOCACHE, GO_BUILD_MATRIX_CACHE_TIMEOUT_MS: '4000' }),
      );
      expect(r.exitCode).toBe(0);
      expect(r.outputs.built).toBe('2');
      // Refused, not answered: the service saw no request, and the warning names the refusal.
      expect(down.requests.map((q) => q.method)).toEqual([]);
      expect(r.stdout).toMatch(/^::warning::GOCACHE was not restored: .*ECONNREFUSED/m);
    } finally {
      await down.close();
    }
  });

  // A GOCACHE that built the example module's two targets once, made by whichever fault case
  // runs first; every case copies it into a runner of its own, so none depends on another.
  let warm: Promise<string> | undefined;
  const warmGocache = (): Promise<string> =>
    (warm ??= (async () => {
      const workspace = tempDir('fault-warm');
      copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
      const vm = runner();
      const r = await action(
        workspace,
        { targets: 'linux/amd64 linux/arm64', 'working-directory': 'app', upload: 'false', cache: 'false' },
        { GOCACHE: vm.GOCACHE, GOMODCACHE: vm.GOMODCACHE },
      );
      if (r.exitCode !== 0) throw new Error(`the warm-up build failed:\n${r.stdout}`);
      return vm.GOCACHE;
    })());
  // The last column: what the service recorded for each call that met the fault (a corrupt
  // archive is served whole, 200 or 206, every byte inverted).
  it.each([
    ['a service answering 500', 'GetCacheEntryDownloadURL', { status: 500 }, [500]],
    ['a service that never answers', 'GetCacheEntryDownloadURL', { hang: true as const }, ['hang']],
    ['a corrupt archive', 'GetBlob', { corrupt: true as const }, [200, 206]],
    ['a save that never finishes', 'CreateCacheEntry', { hang: true as const }, ['hang']],
  ])(
    '%s: the fault is served, every target still builds, with a warning',
    async (name, method, fault, answers) => {
      const workspace = tempDir('fault');
      copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
      const vm = runner();
      await execFileAsync('cp', ['-a', await warmGocache(), vm.GOCACHE]);
      const env = { GOCACHE: vm.GOCACHE, GOMODCACHE: vm.GOMODCACHE };
      const inputs = {
        targets: 'linux/amd64 linux/arm64',
        'working-directory': 'app',
        upload: 'false',
        // A prefix of its own: no other case's entries to restore.
        'cache-key-prefix': `fault-${name.replaceAll(' ', '-')}`,
      };
      // Something to restore first, so the download path is exercised.
      const seed = await action(workspace, inputs, { ...env, GITHUB_RUN_ID: '4000' });
      expect(seed.manifest?.cache?.savedBytes).toBeGreaterThan(0);
      // A source edit, so that the second run has new output to save.
      writeFileSync(
        path.join(workspace, 'app', 'edit.go'),
        `package main\n\nconst edit = ${JSON.stringify(name)}\n`,
      );
      service.fault(method as never, fault);
      const from = service.requests.length;
      const r = await action(workspace, inputs, { ...env, GITHUB_RUN_ID: '4001' });
      expect(r.exitCode).toBe(0);
      expect(r.outputs.built).toBe('2');
      expect(r.outputs.failed).toBe('0');
      expect(r.stdout).toMatch(/::warning::/);
      // The fault stays until afterEach clears it: the run called the method, and every call met it.
      const served = service.requests
        .slice(from)
        .filter((q) => q.method === method)
        .map((q) => q.status);
      expect(served.length).toBeGreaterThan(0);
      expect(served.filter((status) => !(answers as (number | string)[]).includes(status))).toEqual([]);
      // A call that never answers is cut off by our timeout (GO_BUILD_MATRIX_CACHE_TIMEOUT_MS), which the warning names.
      if ('hang' in fault) expect(r.stdout).toMatch(/^::warning::.*did not answer within 4 s/m);
    },
  );
});

describe('artifact upload through the action', () => {
  it('uploads per target; downloads are byte-identical and archives keep mode 0755', async () => {
    const workspace = tempDir('upload');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    const runEnv = service.envFor('run-upload', 'job-1');
    const r = await runAction(
      workspace,
      {
        targets: 'linux/amd64 windows/arm64',
        'working-directory': 'app',
        cache: 'false',
        'retention-days': '3',
      },
      goEnv(tc, runEnv),
    );
    expect(r.exitCode).toBe(0);
    const client = new DefaultArtifactClient();
    const saved = { ...process.env };
    Object.assign(process.env, runEnv, { GITHUB_WORKSPACE: workspace });
    try {
      const { artifacts } = await client.listArtifacts();
      expect(artifacts.map((a) => a.name).sort()).toEqual([`hello-linux-amd64`, `hello-windows-arm64`]);
      const create = service.requests.find((q) => q.method === 'CreateArtifact');
      expect(create?.body?.expires_at).toEqual(expect.any(String));
      const out = tempDir('download');
      for (const artifact of artifacts) {
        const dir = path.join(out, artifact.name);
        await client.downloadArtifact(artifact.id, { path: dir });
      }
      const dist = path.join(workspace, 'app', 'dist');
      for (const file of ['hello-linux-amd64.tar.gz', 'manifest.json', 'checksums.txt']) {
        expect([
          file,
          readFileSync(path.join(out, `hello-linux-amd64`, file)).equals(readFileSync(path.join(dist, file))),
        ]).toEqual([file, true]);
      }
      expect(
        readFileSync(path.join(out, `hello-windows-arm64`, 'hello-windows-arm64.zip')).equals(
          readFileSync(path.join(dist, 'hello-windows-arm64.zip')),
        ),
      ).toBe(true);
      const extracted = tempDir('extract');
      await execFileAsync('tar', [
        '-xzf',
        path.join(out, `hello-linux-amd64`, 'hello-linux-amd64.tar.gz'),
        '-C',
        extracted,
      ]);
      expect(statSync(path.join(extracted, 'hello')).mode & 0o777).toBe(0o755);
      expect(
        readFileSync(path.join(extracted, 'hello')).equals(
          readFileSync(path.join(dist, 'hello-linux-amd64')),
        ),
      ).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it('retries an artifact service that fails twice, then succeeds', async () => {
    const workspace = tempDir('upload-retry');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    service.fault('CreateArtifact', { reset: true, times: 2 });
    const from = service.requests.length;
    const r = await runAction(
      workspace,
      { targets: 'linux/amd64', 'working-directory': 'app', cache: 'false', upload: 'combined' },
      goEnv(tc, { ...service.envFor('run-retry', 'job-1'), GO_BUILD_MATRIX_UPLOAD_RETRY_MS: '200' }),
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Uploaded artifact hello /);
    // Both resets were served, and the third attempt was the one answered.
    const creates = service.requests.slice(from).filter((q) => q.method === 'CreateArtifact');
    expect(creates.map((q) => q.status)).toEqual(['reset', 'reset', 200]);
  });

  it('fails the step when the service always refuses, naming the artifact and the answer', async () => {
    const workspace = tempDir('upload-fail');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    service.fault('CreateArtifact', { status: 403, message: 'artifact storage quota exceeded' });
    const from = service.requests.length;
    const r = await runAction(
      workspace,
      { targets: 'linux/amd64', 'working-directory': 'app', cache: 'false' },
      goEnv(tc, { ...service.envFor('run-fail', 'job-1'), GO_BUILD_MATRIX_UPLOAD_RETRY_MS: '200' }),
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /::error title=upload::Uploading artifact "hello-linux-amd64" failed.*artifact storage quota exceeded/,
    );
    expect(r.outputs.built).toBe('1');
    // Every attempt met the refusal.
    const creates = service.requests.slice(from).filter((q) => q.method === 'CreateArtifact');
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.map((q) => q.status).filter((status) => status !== 403)).toEqual([]);
  });
});

describe('plan → build jobs → collect through the action', () => {
  async function fanOut(
    run: string,
    legsToRun: number[],
  ): Promise<{ workspace: string; collect: RunnerResult; planned: string[][] }> {
    const workspace = tempDir('fanout-collect');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    const targets = 'linux/amd64 linux/arm64 windows/amd64 darwin/arm64';
    const common = { targets, 'working-directory': 'app', cache: 'false' };
    const plan = await runAction(
      workspace,
      { ...common, mode: 'plan', chunks: '2' },
      goEnv(tc, service.envFor(run, 'plan')),
    );
    const chunks = (JSON.parse(plan.outputs.matrix ?? '') as { include: { targets: string }[] }).include.map(
      (c) => c.targets,
    );
    expect(chunks).toHaveLength(2);
    for (const leg of legsToRun) {
      // Each build job checks out the repository afresh: its own workspace.
      const legWorkspace = tempDir(`leg${leg}`);
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
      { ...common, mode: 'collect', badge: 'true' },
      goEnv(tc, service.envFor(run, 'collect')),
    );
    return { workspace, collect, planned: chunks.map((c) => c.split(' ')) };
  }

  it('merges the legs into one manifest, checksums, summary and badge', async () => {
    const { workspace, collect } = await fanOut('run-collect', [0, 1]);
    expect(collect.exitCode).toBe(0);
    expect(collect.outputs.built).toBe('4');
    const dist = path.join(workspace, 'app', 'dist');
    const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['linux/arm64', 'ok'],
      ['windows/amd64', 'ok'],
      ['darwin/arm64', 'ok'],
    ]);
    const { stdout } = await execFileAsync('sha256sum', ['-c', 'checksums.txt'], { cwd: dist });
    expect(stdout.trim().split('\n')).toHaveLength(4);
    expect(JSON.parse(readFileSync(path.join(dist, 'badge.json'), 'utf8')).message).toBe('4/4 verified');
    expect(collect.summary).toContain('**4/4 built**');
  });

  it('fails naming the targets of a leg that never delivered', async () => {
    const { collect, planned } = await fanOut('run-missing', [0]);
    expect(collect.exitCode).toBe(1);
    expect(collect.stdout).toContain(
      `::error::No build job delivered ${(planned[1] as string[]).join(', ')}`,
    );
  });
});
