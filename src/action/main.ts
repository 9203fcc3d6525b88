import * as core from '@actions/core';
import type { BuildResult } from '../engine.js';
import { buildMatrix, planMatrix } from '../engine.js';
import { INPUTS, warnInactiveInputs } from '../options/inputs.js';
import { parseOptions } from '../options/options.js';
import { isFailure } from '../report/manifest.js';
import { renderSummary, totals } from '../report/summary.js';
import { ActionLogger } from './logger.js';
import path from 'node:path';

function readInputs(): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const input of INPUTS) raw[input.name] = core.getInput(input.name);
  return raw;
}

/** The action: inputs from the runner, the engine, outputs and summary back to the runner. */
export async function runAction(): Promise<void> {
  const log = new ActionLogger();
  try {
    const raw = readInputs();
    if (raw['github-token']) core.setSecret(raw['github-token']);
    const baseDir = process.env.GITHUB_WORKSPACE || process.cwd();
    const options = parseOptions(raw, baseDir);
    warnInactiveInputs(raw, log);
    const ctx = { baseDir, env: process.env, log };
    if (options.mode === 'plan') {
      const plan = await planMatrix(options, ctx);
      core.setOutput('matrix', JSON.stringify(plan.matrix));
      log.info(`Planned ${plan.targets.length} target(s) in ${plan.matrix.include.length} chunk(s).`);
      return;
    }
    if (options.mode === 'collect') {
      throw new Error("Input 'mode': 'collect' is not available in this version yet; use 'build' or 'plan'.");
    }
    const result = await buildMatrix(options, ctx);
    setOutputs(result, baseDir);
    if (options.summary) await writeSummary(result, log);
    const failures = result.manifest.artifacts.filter((a) => isFailure(a.status));
    if (result.uploadError !== null) core.setFailed(result.uploadError);
    if (failures.length > 0) {
      core.setFailed(
        `${failures.length} of ${result.manifest.artifacts.length} target(s) failed: ${failures.map((a) => `${a.target} (${a.status})`).join(', ')}`,
      );
    }
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}

function setOutputs(result: BuildResult, baseDir: string): void {
  const t = totals(result.manifest);
  core.setOutput('manifest', path.relative(baseDir, result.manifestPath).split(path.sep).join('/'));
  core.setOutput(
    'artifacts',
    JSON.stringify(
      result.manifest.artifacts.map((a) => ({
        target: a.target,
        path: a.path,
        sha256: a.sha256,
        size: a.size,
        status: a.status,
      })),
    ),
  );
  core.setOutput('matrix', JSON.stringify(result.matrix));
  core.setOutput('built', String(t.built));
  core.setOutput('failed', String(t.failed));
  core.setOutput('verified', String(t.verified));
  core.setOutput('cache-hit', result.manifest.cache?.hit ?? 'false');
}

async function writeSummary(result: BuildResult, log: ActionLogger): Promise<void> {
  try {
    await core.summary.addRaw(renderSummary(result.manifest)).write();
  } catch (err) {
    log.warning(`The job summary could not be written: ${err instanceof Error ? err.message : String(err)}`);
  }
}
