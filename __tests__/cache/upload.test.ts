// Artifact upload through the real @actions/artifact client against the local results service,
// fetched back with the real client.
import { DefaultArtifactClient } from '@actions/artifact';
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryLogger } from '../../src/log.js';
import type { UploadRequest } from '../../src/upload/index.js';
import { planArtifacts, renderArtifactName, uploadArtifacts } from '../../src/upload/index.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { tempDir } from './helpers.js';

let svc: ResultsService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** An output-dir with two targets' files, a manifest and checksums. */
function outputDir(mode: UploadRequest['mode'], env: Record<string, string>): UploadRequest {
  const root = tempDir('upload');
  const file = (name: string, content: Buffer | string) => {
    const p = path.join(root, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  };
  return {
    mode,
    env,
    rootDirectory: root,
    targets: [
      { artifactName: 'hello-linux-amd64', files: [file('hello-linux-amd64', randomBytes(200_000))] },
      {
        artifactName: 'hello-windows-arm64',
        files: [
          file('hello-windows-arm64.exe', randomBytes(150_000)),
          file('archives/hello-windows-arm64.zip', randomBytes(90_000)),
        ],
      },
    ],
    combinedName: 'hello',
    sharedFiles: [
      file('manifest.json', '{"schemaVersion":1}\n'),
      file('checksums.txt', 'abc  hello-linux-amd64\n'),
    ],
    retentionDays: null,
    retry: { attempts: 3, delayMs: 10 },
  };
}

/** Downloads an artifact with the real client; returns its files as relative path → bytes. */
async function download(env: Record<string, string>, id: number): Promise<Map<string, Buffer>> {
  const dir = tempDir('download');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    await new DefaultArtifactClient().downloadArtifact(id, { path: dir });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, name);
    if (statSync(p).isFile()) files.set(name, readFileSync(p));
  }
  return files;
}

function expectSameFiles(got: Map<string, Buffer>, root: string, files: readonly string[]) {
  expect([...got.keys()].sort()).toEqual(files.map((f) => path.relative(root, f)).sort());
  for (const f of files) expect(got.get(path.relative(root, f))?.equals(readFileSync(f))).toBe(true);
}

describe('uploadArtifacts', () => {
  it('per-target: one artifact per target, each with the shared files, byte-identical', async () => {
    svc = await startResultsService();
    const req = outputDir('per-target', svc.env);
    const uploaded = await uploadArtifacts(req, new MemoryLogger());
    expect(uploaded.map((a) => a.name)).toEqual(['hello-linux-amd64', 'hello-windows-arm64']);
    for (const [i, artifact] of uploaded.entries()) {
      expect(artifact.digest).toMatch(/^[0-9a-f]{64}$/);
      const target = req.targets[i];
      if (!target) throw new Error('no target');
      expectSameFiles(await download(svc.env, artifact.id), req.rootDirectory, [
        ...target.files,
        ...req.sharedFiles,
      ]);
    }
    expect(svc.artifacts().every((a) => a.expiresAt === null)).toBe(true);
  });

  it('combined: one artifact with everything; retention-days reaches CreateArtifact as expires_at', async () => {
    svc = await startResultsService();
    const req = { ...outputDir('combined', svc.env), retentionDays: 3 };
    const before = Date.now();
    const uploaded = await uploadArtifacts(req, new MemoryLogger());
    const after = Date.now();
    expect(uploaded).toEqual([expect.objectContaining({ name: 'hello' })]);
    const all = [...req.targets.flatMap((t) => t.files), ...req.sharedFiles];
    expectSameFiles(await download(svc.env, uploaded[0]?.id ?? -1), req.rootDirectory, all);
    const expiresAt = Date.parse(svc.artifacts()[0]?.expiresAt ?? '');
    // Three days from the upload, however long it took (the service keeps whole seconds).
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3 * 86_400_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 3 * 86_400_000);
    const create = svc.requests.find((r) => r.method === 'CreateArtifact');
    expect(create?.body).toMatchObject({ name: 'hello', expires_at: expect.any(String) });
  });

  it('retries transient failures: a service that fails twice then succeeds still uploads', async () => {
    svc = await startResultsService();
    svc.fault('CreateArtifact', { reset: true, times: 2 });
    const log = new MemoryLogger();
    const uploaded = await uploadArtifacts({ ...outputDir('combined', svc.env) }, log);
    expect(uploaded).toHaveLength(1);
    expect(svc.requests.filter((r) => r.method === 'CreateArtifact').map((r) => r.status)).toEqual([
      'reset',
      'reset',
      200,
    ]);
    expect(log.lines.filter((l) => /attempt \d of 3/.test(l.message))).toHaveLength(2);
  });

  it('a failure after the bytes went up is retried from the start', async () => {
    svc = await startResultsService();
    svc.fault('FinalizeArtifact', { reset: true, times: 1 });
    const req = outputDir('combined', svc.env);
    const uploaded = await uploadArtifacts(req, new MemoryLogger());
    expect(svc.requests.filter((r) => r.method === 'CreateArtifact')).toHaveLength(2);
    expectSameFiles(await download(svc.env, uploaded[0]?.id ?? -1), req.rootDirectory, [
      ...req.targets.flatMap((t) => t.files),
      ...req.sharedFiles,
    ]);
  });

  it('a permanent refusal throws at once, naming the artifact and the answer', async () => {
    svc = await startResultsService();
    svc.fault('CreateArtifact', { status: 403, message: 'artifact storage quota has been hit' });
    await expect(uploadArtifacts(outputDir('per-target', svc.env), new MemoryLogger())).rejects.toThrow(
      /Uploading artifact "hello-linux-amd64" failed: .*403.*artifact storage quota has been hit/,
    );
    expect(svc.requests.filter((r) => r.method === 'CreateArtifact')).toHaveLength(1);
  });

  it('a service that always fails transiently throws after the last attempt', async () => {
    svc = await startResultsService();
    svc.fault('CreateArtifact', { reset: true });
    await expect(uploadArtifacts(outputDir('combined', svc.env), new MemoryLogger())).rejects.toThrow(
      /Uploading artifact "hello" failed after 3 attempts: .*ECONNRESET/,
    );
  });

  it('a name taken by another job of the run is a clear error', async () => {
    svc = await startResultsService();
    await uploadArtifacts(outputDir('combined', svc.env), new MemoryLogger());
    await expect(
      uploadArtifacts(outputDir('combined', svc.envFor('run-1', 'job-2')), new MemoryLogger()),
    ).rejects.toThrow(/Uploading artifact "hello" failed: .*409.*already exists/);
  });

  it('outside Actions, or with upload: false, nothing is uploaded', async () => {
    const log = new MemoryLogger();
    expect(await uploadArtifacts(outputDir('per-target', {}), log)).toEqual([]);
    expect(log.lines).toEqual([
      { level: 'info', message: expect.stringMatching(/Not running in GitHub Actions.*files stay in/) },
    ]);
    expect(
      await uploadArtifacts(
        outputDir('false', { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' }),
        log,
      ),
    ).toEqual([]);
  });
});

describe('planning artifacts', () => {
  it('gives a failed target the shared files only, and rejects duplicate names and files outside the output dir', () => {
    const req = outputDir('per-target', {});
    const [first, second] = req.targets as [UploadRequest['targets'][0], UploadRequest['targets'][0]];
    const planned = planArtifacts({ ...req, targets: [first, { artifactName: 'failed', files: [] }] });
    expect(planned.map((a) => a.name)).toEqual(['hello-linux-amd64', 'failed']);
    expect(planned[1]?.files).toEqual(req.sharedFiles);
    expect(
      planArtifacts({ ...req, sharedFiles: [], targets: [first, { artifactName: 'failed', files: [] }] }).map(
        (a) => a.name,
      ),
    ).toEqual(['hello-linux-amd64']);
    expect(() =>
      planArtifacts({ ...req, targets: [first, { ...second, artifactName: first.artifactName }] }),
    ).toThrow(/Two targets would upload the artifact "hello-linux-amd64"/);
    expect(() => planArtifacts({ ...req, sharedFiles: ['/etc/hostname'] })).toThrow(/not inside/);
    expect(() => planArtifacts({ ...req, mode: 'combined', combinedName: 'a/b' })).toThrow(/forward slash/);
  });
});

describe('renderArtifactName', () => {
  const fields = { name: 'hello', goos: 'linux', goarch: 'arm', variant: '-v7' };
  it.each([
    ['{name}-{goos}-{goarch}{variant}', 'hello-linux-arm-v7'],
    ['{name}', 'hello'],
    ['bin {goos} {goarch}', 'bin linux arm'],
  ])('%s → %s', (template, expected) => {
    expect(renderArtifactName(template, fields)).toBe(expected);
  });
  it.each(['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'])('rejects %j', (char) => {
    expect(() => renderArtifactName(`{name}${char}x`, fields)).toThrow(
      /artifact name "hello.*x" contains a .* which the artifact service does not allow/s,
    );
  });
  it('rejects unknown placeholders and empty names', () => {
    expect(() => renderArtifactName('{name}-{arch}', fields)).toThrow(/uses \{arch\}; the placeholders are/);
    expect(() => renderArtifactName('{variant}', { ...fields, variant: '' })).toThrow(/must not be empty/);
  });
});
