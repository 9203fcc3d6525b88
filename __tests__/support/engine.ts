// Runs the real engine in-process with a given toolchain, the way the CLI and action do.
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildResult, PlanResult } from '../../src/pipeline/context.js';
import { buildMatrix, planMatrix } from '../../src/engine.js';
import { MemoryLogger } from '../../src/log.js';
import { parseOptions } from '../../src/options/options.js';
import type { Toolchain } from './toolchains.js';
import { goEnv } from './toolchains.js';

/** Copies a module's sources (not the output a local `npm start` may have left in its dist/). */
export function copyModule(from: string, to: string): void {
  cpSync(from, to, {
    recursive: true,
    filter: (source) => path.relative(from, source).split(path.sep)[0] !== 'dist',
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `gbm-${prefix}-`));
}

export interface EngineRun extends BuildResult {
  log: MemoryLogger;
  outputDir: string;
}

export async function build(
  tc: Toolchain,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<EngineRun> {
  const options = parseOptions({ ...inputs, 'output-dir': inputs['output-dir'] ?? tempDir('out') }, '/');
  const log = new MemoryLogger();
  const result = await buildMatrix(options, { baseDir: '/', env: goEnv(tc, extraEnv), log });
  return { ...result, log, outputDir: options.outputDir };
}

export async function plan(tc: Toolchain, inputs: Record<string, string>): Promise<PlanResult> {
  const options = parseOptions({ ...inputs, mode: 'plan' }, '/');
  return planMatrix(options, { baseDir: '/', env: goEnv(tc), log: new MemoryLogger() });
}
