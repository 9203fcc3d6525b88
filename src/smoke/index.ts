import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../exec.js';
import type { SmokeRecord } from '../report/manifest.js';
import type { VerifyResult } from '../verify/index.js';
import { findOnPath } from '../which.js';
import { chooseRunner } from './runner.js';

export interface SmokeRequest {
  readonly binary: string;
  readonly goos: string;
  readonly goarch: string;
  readonly args: readonly string[];
  /** The host, its Go's GOROOT (for js/wasm's runner) and the Node that runs wasm modules. */
  readonly host: {
    readonly goos: string;
    readonly goarch: string;
    readonly goroot: string;
    readonly node: string;
  };
  readonly verify: VerifyResult | null;
  /** The job's environment: PATH to find qemu/wine, nothing else is passed on. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  /** `unshare` on PATH and allowed to make a network namespace: run without network. */
  readonly isolateNetwork: boolean;
}

const SHOWN_LINES = 5;

/**
 * Runs a built binary with the smoke-test arguments, in an empty temporary directory, with a
 * minimal environment and (where the kernel allows) no network, under a time limit.
 */
export async function smokeTest(req: SmokeRequest): Promise<SmokeRecord> {
  const runner = chooseRunner(req.goos, req.goarch, req.host, req.verify, req.env);
  if ('skip' in runner) {
    return {
      ran: false,
      via: null,
      exitCode: null,
      seconds: null,
      timedOut: false,
      output: [],
      reason: runner.skip,
    };
  }
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'gbm-smoke-'));
  try {
    const env: Record<string, string> = {
      PATH: req.env.PATH ?? '',
      HOME: cwd,
      TMPDIR: cwd,
      LANG: 'C',
      ...runner.env,
    };
    if (runner.via === 'wine') env.WINEPREFIX = path.join(cwd, 'wine');
    const unshare = req.isolateNetwork ? findOnPath('unshare', req.env) : null;
    const argv = [
      ...(unshare ? [unshare, '--net', '--map-root-user'] : []),
      ...runner.prefix,
      req.binary,
      ...req.args,
    ];
    const result = await run(argv, { cwd, env, timeoutMs: req.timeoutMs, maxOutputBytes: 64 * 1024 });
    const output = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, SHOWN_LINES);
    return {
      ran: true,
      via: runner.via,
      exitCode: result.exitCode,
      seconds: Math.round(result.seconds * 100) / 100,
      timedOut: result.timedOut,
      output,
      reason: result.spawnError ?? (result.signal ? `killed by ${result.signal}` : null),
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export function smokePassed(record: SmokeRecord): boolean {
  return !record.ran || (record.exitCode === 0 && !record.timedOut);
}

/** Whether this machine lets us start a process without network (a user + network namespace). */
export async function canIsolateNetwork(env: Readonly<Record<string, string | undefined>>): Promise<boolean> {
  const unshare = findOnPath('unshare', env);
  const truth = findOnPath('true', env);
  if (unshare === null || truth === null || process.platform !== 'linux') return false;
  const probe = await run([unshare, '--net', '--map-root-user', truth], {
    cwd: os.tmpdir(),
    env: { PATH: env.PATH ?? '' },
    timeoutMs: 10_000,
  });
  return probe.exitCode === 0;
}
