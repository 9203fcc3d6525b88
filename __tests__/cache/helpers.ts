// Shared by the cache and upload tests: temp dirs, a job env pointing at the local results
// service, and hand-made GOCACHE entries in Go's on-disk format.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CacheRequest } from '../../src/cache/index.js';
import type { MemoryLogger } from '../../src/log.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `gbm-${prefix}-`));
}

/** What the runner gives a job, on top of the service env. */
export function jobEnv(
  serviceEnv: Record<string, string>,
  root: string,
  runId = '100',
): Record<string, string> {
  const temp = path.join(root, 'runner-temp');
  mkdirSync(temp, { recursive: true });
  return {
    ...serviceEnv,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: root,
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
  };
}

/** A module dir with go.mod (and go.sum when given). */
export function moduleDir(root: string, goSum?: string): string {
  const dir = path.join(root, 'module');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.19\n');
  if (goSum !== undefined) writeFileSync(path.join(dir, 'go.sum'), goSum);
  return dir;
}

export function request(
  root: string,
  env: Record<string, string>,
  extra: Partial<CacheRequest> = {},
): CacheRequest {
  return {
    mode: 'true',
    keyPrefix: 'go-build-matrix',
    env,
    goVersion: 'go1.23.5',
    gocache: path.join(root, 'gocache'),
    gomodcache: path.join(root, 'gomodcache'),
    moduleDir: moduleDir(root),
    commitSeconds: 1_700_000_000,
    packages: ['.'],
    compileInputs: ['linux/amd64 GOAMD64=v1', 'CGO_ENABLED=0', 'trimpath=true'],
    timeoutMs: 20_000,
    ...extra,
  };
}

const hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Writes one action entry and its output the way cmd/go lays them out; returns both names. */
export function writeGoEntry(gocache: string, payload: Buffer = randomBytes(4096)): { a: string; d: string } {
  const actionId = hex(randomBytes(16));
  const outputId = hex(payload);
  const a = path.join(gocache, actionId.slice(0, 2), `${actionId}-a`);
  const d = path.join(gocache, outputId.slice(0, 2), `${outputId}-d`);
  mkdirSync(path.dirname(a), { recursive: true });
  mkdirSync(path.dirname(d), { recursive: true });
  writeFileSync(d, payload);
  writeFileSync(
    a,
    `v1 ${actionId} ${outputId} ${String(payload.length).padStart(20)} ${String(Date.now() * 1e6).padStart(20)}\n`,
  );
  return { a, d };
}

export function warnings(log: MemoryLogger): string[] {
  return log.lines.filter((l) => l.level === 'warning').map((l) => l.message);
}
