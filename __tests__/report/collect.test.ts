// collect end to end: the real @actions/artifact client against the results-service emulation.
// Two "build legs" upload per-target artifacts as the action does; collect merges them back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectResults } from '../../src/collect/index.js';
import { readLeg } from '../../src/collect/leg.js';
import { MemoryLogger } from '../../src/log.js';
import { writeChecksums } from '../../src/package/checksums.js';
import type { ArtifactEntry, Manifest } from '../../src/report/manifest.js';
import { writeManifest } from '../../src/report/manifest.js';
import { uploadArtifacts } from '../../src/upload/index.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { entry, manifest } from './fixtures.js';

const execFileAsync = promisify(execFile);

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), `gbm-${prefix}-`));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface LegFile {
  name: string;
  data: Buffer;
}

/** One build leg: its dist/ with files, checksums.txt over all of them and manifest.json. */
async function leg(
  entries: { entry: ArtifactEntry; binary?: LegFile; archive?: LegFile }[],
  overrides: Partial<Manifest> = {},
): Promise<{ dist: string; manifest: Manifest; uploads: { artifact: string; files: string[] }[] }> {
  const workspace = tempDir('leg');
  const dist = path.join(workspace, 'dist');
  mkdirSync(dist);
  const sums: { path: string; sha256: string }[] = [];
  for (const { binary, archive } of entries) {
    for (const f of [binary, archive]) {
      if (!f) continue;
      mkdirSync(path.dirname(path.join(dist, f.name)), { recursive: true });
      writeFileSync(path.join(dist, f.name), f.data);
      sums.push({ path: path.join(dist, f.name), sha256: sha256(f.data) });
    }
  }
  await writeChecksums(dist, sums);
  const m = manifest(
    entries.map((e) => ({
      ...e.entry,
      path: e.binary ? `dist/${e.binary.name}` : null,
      sha256: e.binary ? sha256(e.binary.data) : null,
      archive: e.archive ? `dist/${e.archive.name}` : null,
      archiveSha256: e.archive ? sha256(e.archive.data) : null,
    })),
    overrides,
  );
  await writeManifest(dist, m);
  // As src/upload does: the archive (or, without one, the binary) plus manifest and checksums.
  const uploads = entries
    .filter((e) => e.binary ?? e.archive)
    .map((e) => ({
      artifact: `app-${e.entry.goos}-${e.entry.goarch}`,
      files: [
        path.join(dist, (e.archive ?? e.binary)?.name ?? ''),
        path.join(dist, 'manifest.json'),
        path.join(dist, 'checksums.txt'),
      ],
    }));
  return { dist, manifest: m, uploads };
}

/** Runs fn with a job's Actions env in process.env, as the runner would give it. */
async function inJob<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

async function upload(run: string, job: string, l: Awaited<ReturnType<typeof leg>>): Promise<void> {
  await inJob({ ...service.envFor(run, job), GITHUB_WORKSPACE: path.dirname(l.dist) }, async () => {
    const client = new DefaultArtifactClient();
    for (const u of l.uploads) await client.uploadArtifact(u.artifact, u.files, l.dist);
  });
}

const file = (name: string, size = 4096): LegFile => ({ name, data: randomBytes(size) });

async function twoLegs() {
  const a = await leg(
    [
      { entry: entry('linux/amd64'), binary: file('app-linux-amd64') },
      {
        entry: entry('linux/arm64'),
        binary: file('app-linux-arm64'),
        archive: file('app-linux-arm64.tar.gz'),
      },
    ],
    { cache: { hit: 'true', key: 'a', restoredBytes: 100, savedBytes: 0 } },
  );
  const b = await leg(
    [
      {
        entry: entry('windows/amd64'),
        binary: file('app-windows-amd64.exe'),
        archive: file('app-windows-amd64.zip'),
      },
      { entry: entry('darwin/arm64', { status: 'build-failed', error: 'go build exited with status 1' }) },
    ],
    { version: 'v0.0.0-other-leg' },
  );
  return { a, b };
}

async function collect(run: string, requested: string[], workspace = tempDir('collect')) {
  const env = { ...service.envFor(run, 'collect'), GITHUB_WORKSPACE: workspace };
  const log = new MemoryLogger();
  const result = await collectResults({
    outputDir: path.join(workspace, 'dist'),
    env,
    log,
    requested,
    prefix: '',
  });
  return { ...result, workspace, dist: path.join(workspace, 'dist'), log };
}

const REQUESTED = ['linux/amd64', 'linux/arm64', 'windows/amd64', 'darwin/arm64'];

describe('collectResults', () => {
  it('merges two legs: the union of their manifests, their files, and checksums that sha256sum -c accepts', async () => {
    const { a, b } = await twoLegs();
    await upload('run-collect', 'leg-1', a);
    await upload('run-collect', 'leg-2', b);
    // Another job's artifact without a manifest is not ours to collect.
    const other = tempDir('other');
    writeFileSync(path.join(other, 'coverage.out'), 'mode: set\n');
    await inJob({ ...service.envFor('run-collect', 'tests'), GITHUB_WORKSPACE: other }, () =>
      new DefaultArtifactClient().uploadArtifact('coverage', [path.join(other, 'coverage.out')], other),
    );

    const r = await collect('run-collect', [...REQUESTED, 'js/wasm']);
    expect(r.missing).toEqual(['js/wasm']);
    expect(r.failed).toEqual(['darwin/arm64']);
    // The collect workspace keeps the legs' layout (dist/), so the entries are the legs' own.
    expect(r.manifest.artifacts).toEqual([...a.manifest.artifacts, ...b.manifest.artifacts]);
    expect(r.manifest.version).toBe('v1.2.3');
    expect(r.manifest.cache).toEqual({ hit: 'true', key: 'a', restoredBytes: 100, savedBytes: 0 });
    expect(r.manifest.checksums).toBe('dist/checksums.txt');
    expect(JSON.parse(readFileSync(path.join(r.dist, 'manifest.json'), 'utf8'))).toEqual(r.manifest);
    expect(readdirSync(r.dist).sort()).toEqual([
      'app-linux-amd64',
      'app-linux-arm64.tar.gz',
      'app-windows-amd64.zip',
      'checksums.txt',
      'manifest.json',
    ]);
    for (const name of ['app-linux-amd64', 'app-linux-arm64.tar.gz', 'app-windows-amd64.zip']) {
      const original = readFileSync(path.join(name.includes('windows') ? b.dist : a.dist, name));
      expect([name, readFileSync(path.join(r.dist, name)).equals(original)]).toEqual([name, true]);
    }
    expect(r.checksumsPath).toBe(path.join(r.dist, 'checksums.txt'));
    const sums = readFileSync(path.join(r.dist, 'checksums.txt'), 'utf8');
    expect(
      sums
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('  ')[1]),
    ).toEqual(['app-linux-amd64', 'app-linux-arm64.tar.gz', 'app-windows-amd64.zip']);
    const check = await execFileAsync('sha256sum', ['-c', 'checksums.txt'], { cwd: r.dist });
    expect(check.stdout).toBe('app-linux-amd64: OK\napp-linux-arm64.tar.gz: OK\napp-windows-amd64.zip: OK\n');
  });

  it('names the targets of a leg that never uploaded as missing', async () => {
    const { a } = await twoLegs();
    await upload('run-one-leg', 'leg-1', a);
    const r = await collect('run-one-leg', REQUESTED);
    expect(r.missing).toEqual(['windows/amd64', 'darwin/arm64']);
    expect(r.failed).toEqual([]);
    expect(r.manifest.artifacts.map((x) => x.target)).toEqual(['linux/amd64', 'linux/arm64']);
    await execFileAsync('sha256sum', ['-c', 'checksums.txt'], { cwd: r.dist });
  });

  /** A collect workspace whose parent holds a checkout's .git/config with a (fake) token in it. */
  function workspaceBesideToken(): { workspace: string; token: string } {
    const root = tempDir('checkout');
    mkdirSync(path.join(root, '.git'));
    const token = path.join(root, '.git', 'config');
    writeFileSync(token, '[http]\n\textraheader = AUTHORIZATION: basic ghs_faketoken0123456789\n');
    const workspace = path.join(root, 'ws');
    mkdirSync(workspace);
    return { workspace, token };
  }

  /** Every file below dir holding the fake token's text. */
  function holdingToken(dir: string): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .filter((f) => readFileSync(f, 'utf8').includes('ghs_faketoken'));
  }

  it.each([
    ['an archive at ../.git/config', () => ({ archive: '../.git/config' }), '../.git/config'],
    ['an SBOM at an absolute path', (token: string) => ({ sboms: [token] }), null],
    [
      'a binary (archive: none) by ../',
      () => ({ path: '../../.git/config', archive: null }),
      '../../.git/config',
    ],
  ])(
    "fails naming the path when a leg's manifest names a file outside what was collected: %s",
    async (what, change, named) => {
      const run = `run-outside-${what.replace(/\W+/g, '-')}`;
      const { workspace, token } = workspaceBesideToken();
      const l = await leg([{ entry: entry('linux/amd64'), binary: file('app-linux-amd64') }]);
      const [first] = l.manifest.artifacts;
      if (first === undefined) throw new Error('no entry');
      Object.assign(first, change(token));
      await writeManifest(l.dist, l.manifest);
      await upload(run, 'leg-1', l);
      const p = named ?? token;
      await expect(collect(run, ['linux/amd64'], workspace)).rejects.toThrow(
        `A build leg's manifest names ${JSON.stringify(p)} for linux/amd64, which is no file any artifact of this run delivered; collect ships only the files it downloaded into output-dir ${path.join(workspace, 'dist')}.`,
      );
      expect(existsSync(path.join(workspace, 'dist', 'checksums.txt'))).toBe(false);
      expect(holdingToken(path.join(workspace, 'dist'))).toEqual([]);
    },
  );

  it('moves no file through a symlinked folder in output-dir out of it, and names the path', async () => {
    const l = await leg([
      {
        entry: entry('linux/amd64'),
        binary: file('linux_amd64/app'),
        archive: file('linux_amd64/app.tar.gz'),
      },
    ]);
    await upload('run-symlinked-folder', 'leg-1', l);
    // The collect job's checkout holds dist/linux_amd64 as a symlink to a folder elsewhere.
    const workspace = tempDir('collect');
    const elsewhere = tempDir('elsewhere');
    mkdirSync(path.join(workspace, 'dist'));
    symlinkSync(elsewhere, path.join(workspace, 'dist', 'linux_amd64'));
    const dest = path.join(workspace, 'dist', 'linux_amd64', 'app.tar.gz');
    await expect(collect('run-symlinked-folder', ['linux/amd64'], workspace)).rejects.toThrow(
      `Refusing to collect ${dest}: it resolves to ${path.join(elsewhere, 'app.tar.gz')}, which is outside output-dir ${path.join(workspace, 'dist')}`,
    );
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("never uploads what a symlink in a leg's output-dir points at, so collect cannot ship it", async () => {
    const { workspace, token } = workspaceBesideToken();
    const dist = path.join(tempDir('leg'), 'dist');
    mkdirSync(dist);
    symlinkSync(token, path.join(dist, 'app-linux-amd64'));
    const m = manifest([entry('linux/amd64')]);
    await writeManifest(dist, m);
    const log = new MemoryLogger();
    await expect(
      uploadArtifacts(
        {
          mode: 'per-target',
          rootDirectory: dist,
          targets: [{ artifactName: 'app-linux-amd64', files: [path.join(dist, 'app-linux-amd64')] }],
          combinedName: 'app',
          sharedFiles: [path.join(dist, 'manifest.json')],
          retentionDays: null,
          env: service.envFor('run-symlink-leg', 'leg-1'),
          retry: { attempts: 1, delayMs: 0 },
        },
        log,
      ),
    ).rejects.toThrow(
      `Refusing to upload ${path.join(dist, 'app-linux-amd64')}: it resolves to ${token}, which is outside output-dir ${dist}`,
    );
    expect(service.artifacts().filter((a) => a.runId === 'run-symlink-leg')).toEqual([]);
    const r = await collect('run-symlink-leg', ['linux/amd64'], workspace);
    expect(r.missing).toEqual(['linux/amd64']);
    expect(holdingToken(r.dist)).toEqual([]);
  });

  it('reads and collects no symlink of a downloaded leg artifact, wherever it points', async () => {
    // The client writes none (unzip-stream extracts every entry as a file); an artifact
    // folder holding one anyway must not lead collect out of it.
    const { token } = workspaceBesideToken();
    const outside = tempDir('outside');
    const m = manifest([entry('linux/amd64')]);
    await writeManifest(outside, m);
    writeFileSync(path.join(outside, 'checksums.txt'), `${'a'.repeat(64)}  app-linux-amd64\n`);
    const artifact = tempDir('artifact');
    symlinkSync(path.join(outside, 'manifest.json'), path.join(artifact, 'manifest.json'));
    expect(await readLeg(artifact)).toBeNull();
    const other = tempDir('artifact');
    await writeManifest(other, m);
    symlinkSync(path.join(outside, 'checksums.txt'), path.join(other, 'checksums.txt'));
    symlinkSync(token, path.join(other, 'app-linux-amd64'));
    mkdirSync(path.join(other, 'linux_amd64'));
    symlinkSync(path.dirname(token), path.join(other, 'linux_amd64', 'git'));
    writeFileSync(path.join(other, 'linux_amd64', 'app.tar.gz'), 'an archive\n');
    expect(await readLeg(other)).toEqual({
      manifest: m,
      checksums: null,
      files: ['linux_amd64/app.tar.gz'],
      dir: other,
    });
  });

  it('refuses to run outside GitHub Actions, saying why', async () => {
    await expect(
      collectResults({
        outputDir: tempDir('nowhere'),
        env: {},
        log: new MemoryLogger(),
        requested: [],
        prefix: '',
      }),
    ).rejects.toThrow(/only works inside GitHub Actions/);
  });
});
