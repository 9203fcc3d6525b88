// collect end to end: the real @actions/artifact client against the results-service emulation.
// Two "build legs" upload per-target artifacts as the action does; collect merges them back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectResults } from '../../src/collect/index.js';
import { MemoryLogger } from '../../src/log.js';
import { writeChecksums } from '../../src/package/checksums.js';
import type { ArtifactEntry, Manifest } from '../../src/report/manifest.js';
import { writeManifest } from '../../src/report/manifest.js';
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

async function collect(run: string, requested: string[]) {
  const workspace = tempDir('collect');
  const env = { ...service.envFor(run, 'collect'), GITHUB_WORKSPACE: workspace };
  const log = new MemoryLogger();
  const result = await collectResults({ outputDir: path.join(workspace, 'dist'), env, log, requested });
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

  it('refuses to run outside GitHub Actions, saying why', async () => {
    await expect(
      collectResults({ outputDir: tempDir('nowhere'), env: {}, log: new MemoryLogger(), requested: [] }),
    ).rejects.toThrow(/only works inside GitHub Actions/);
  });
});
