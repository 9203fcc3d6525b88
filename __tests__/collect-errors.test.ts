// collect's failures, each from the real @actions/artifact client against the results-service
// emulation: the list refused, a download refused, an artifact whose bytes are not the ones
// uploaded, a file whose sha256 is not the one its leg recorded. Each error names the artifact
// or file and what to do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectResults } from '../src/collect/index.js';
import { MemoryLogger } from '../src/log.js';
import { writeManifest } from '../src/report/manifest.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { entry, manifest } from './report/fixtures.js';

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), `gbm-${prefix}-`));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * One build leg of target linux/amd64 uploaded in `run` as artifact `name`: the binary,
 * manifest.json and a checksums.txt that records `recorded` (default: the binary's real sum).
 */
async function uploadLeg(run: string, name: string, recorded?: string): Promise<void> {
  const workspace = tempDir('leg');
  const dist = path.join(workspace, 'dist');
  mkdirSync(dist);
  const data = randomBytes(2048);
  writeFileSync(path.join(dist, 'app-linux-amd64'), data);
  writeFileSync(path.join(dist, 'checksums.txt'), `${recorded ?? sha256(data)}  app-linux-amd64\n`);
  await writeManifest(
    dist,
    manifest([{ ...entry('linux/amd64'), sha256: sha256(data) }], { checksums: 'dist/checksums.txt' }),
  );
  const saved = { ...process.env };
  Object.assign(process.env, service.envFor(run, name), { GITHUB_WORKSPACE: workspace });
  try {
    await new DefaultArtifactClient().uploadArtifact(
      name,
      ['app-linux-amd64', 'manifest.json', 'checksums.txt'].map((f) => path.join(dist, f)),
      dist,
    );
  } finally {
    process.env = saved;
  }
}

async function collect(run: string) {
  const workspace = tempDir('collect');
  return collectResults({
    outputDir: path.join(workspace, 'dist'),
    env: { ...service.envFor(run, 'collect'), GITHUB_WORKSPACE: workspace },
    log: new MemoryLogger(),
    prefix: '',
    requested: ['linux/amd64'],
    timeoutMs: 60_000,
  });
}

describe('collect fails, naming what and what to do', () => {
  it('when the artifact service refuses the list', async () => {
    await uploadLeg('run-list', 'app-linux-amd64');
    service.fault('ListArtifacts', { status: 403, message: 'token lacks actions: read', times: 1 });
    await expect(collect('run-list')).rejects.toThrow(
      /^Listing the artifacts of this run failed: .*token lacks actions: read.*; the collect job needs 'actions: read' \(the default token has it\); re-run it once the artifact service answers$/,
    );
  });

  it('when the service refuses to hand out an artifact', async () => {
    await uploadLeg('run-download', 'app-linux-amd64');
    service.fault('GetSignedArtifactURL', { status: 404, message: 'artifact expired', times: 1 });
    await expect(collect('run-download')).rejects.toThrow(
      /^Downloading artifact "app-linux-amd64" failed: .*artifact expired.*; re-run the collect job, or the build legs if the artifact expired$/,
    );
  });

  it('when an artifact arrives with bytes other than the ones uploaded', async () => {
    await uploadLeg('run-digest', 'app-linux-amd64');
    await uploadLeg('run-digest', 'app-linux-arm64');
    // The first artifact's blob is replaced by the second's: a valid zip, not the uploaded one.
    const blobPut = (artifact: string) =>
      service.requests.find(
        (r) => r.server === 'blob' && /^Put/.test(r.method) && r.path.includes(`/run-digest/${artifact}/`),
      );
    const first = blobPut('app-linux-amd64');
    const second = blobPut('app-linux-arm64');
    expect([first?.path, second?.path]).not.toContain(undefined);
    const url = (p: string) => `http://${String(first?.headers.host)}${p.split('?')[0] ?? ''}`;
    const replacement = service.blob(url(second?.path ?? '')) as Buffer;
    const put = await fetch(url(first?.path ?? ''), {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/zip' },
      body: replacement,
    });
    expect(put.status).toBe(201);
    await expect(collect('run-digest')).rejects.toThrow(
      'Artifact "app-linux-amd64" arrived with another digest than it was uploaded with; re-run the collect job',
    );
  });

  it("when a file's sha256 is not the one its build leg recorded", async () => {
    const wrong = '0'.repeat(64);
    await uploadLeg('run-sum', 'app-linux-amd64', wrong);
    await expect(collect('run-sum')).rejects.toThrow(
      new RegExp(
        `^app-linux-amd64 does not match the sha256 its build leg recorded \\(${wrong}, got [0-9a-f]{64}\\): it changed after its leg hashed it; re-run that build leg, then this job$`,
      ),
    );
  });
});
