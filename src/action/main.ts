import * as core from '@actions/core';
import type { BuildResult } from '../pipeline/context.js';
import { buildMatrix, planMatrix } from '../engine.js';
import { collectResults } from '../collect/index.js';
import { deleteSuperseded } from '../cache/hygiene.js';
import { msFromEnv } from '../env-knobs.js';
import { INPUTS } from '../options/inputs.js';
import type { Options } from '../options/options.js';
import { parseOptions } from '../options/options.js';
import { publishReports } from '../report/publish.js';
import { targetId } from '../targets/expand.js';
import type { Manifest } from '../report/manifest.js';
import { isFailure, MANIFEST_FILE } from '../report/manifest.js';
import { renderSummary, totals } from '../report/summary.js';
import { ActionLogger } from './logger.js';
import { loadModule } from '../go/module.js';
import { queryEnvironment } from '../go/chosen-toolchain.js';
import { artifactPrefix } from '../upload/prefix.js';
import { handOff } from '../release/step.js';
import { renderReleaseSummary } from '../report/summary.js';
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
    // Masked before anything can print them; the certificate also as the one line base64 is decoded from.
    for (const name of ['github-token', 'windows-certificate', 'windows-certificate-password']) {
      const value = raw[name];
      if (value) core.setSecret(value);
    }
    if (raw['windows-certificate']) core.setSecret(raw['windows-certificate'].replace(/\s+/g, ''));
    for (const name of ['macos-certificate', 'macos-certificate-password', 'macos-notary-key']) {
      const value = raw[name];
      if (value) core.setSecret(value);
    }
    if (raw['macos-certificate']) core.setSecret(raw['macos-certificate'].replace(/\s+/g, ''));
    const baseDir = process.env.GITHUB_WORKSPACE || process.cwd();
    const options = parseOptions(raw, baseDir);
    const ctx = { baseDir, env: process.env, log };
    if (options.mode === 'plan') {
      const plan = await planMatrix(options, ctx);
      core.setOutput('matrix', JSON.stringify(plan.matrix));
      core.setOutput('artifact-prefix', await prefixOf(options));
      log.info(`Planned ${plan.targets.length} target(s) in ${plan.matrix.include.length} chunk(s).`);
      return;
    }
    if (options.mode === 'collect') {
      // The targets the plan asked for: each must have come back from some build job, and passed.
      const plan = await planMatrix(options, ctx);
      const prefix = options.artifactPrefix ?? '';
      core.setOutput('artifact-prefix', prefix);
      const collected = await collectResults({
        outputDir: options.outputDir,
        env: process.env,
        log,
        requested: plan.targets.map(targetId),
        prefix,
      });
      // Build legs only read (a called workflow's legs get contents: read): this job, granted
      // actions: write, deletes the cache entries their saves superseded, for all of them.
      if (options.cacheCleanup === 'auto') {
        await deleteSuperseded(collected.manifest.cache?.saved ?? [], {
          token: options.githubToken,
          env: process.env,
          retryBaseMs: msFromEnv(process.env, 'GO_BUILD_MATRIX_API_RETRY_MS') ?? 1000,
          log,
        });
      }
      const result = {
        manifest: collected.manifest,
        manifestPath: path.join(options.outputDir, MANIFEST_FILE),
        matrix: plan.matrix,
      };
      await report(result, options, log, baseDir);
      await releaseStep(result.manifest, options, log, baseDir, collected.missing);
      if (collected.missing.length > 0) {
        core.setFailed(
          `No build job delivered ${collected.missing.join(', ')}: each requested target must produce a result.`,
        );
      }
      failIfTargetsFailed(result.manifest);
      return;
    }
    const result = await buildMatrix(options, ctx);
    core.setOutput('artifact-prefix', result.artifactPrefix);
    await report(result, options, log, baseDir);
    await releaseStep(result.manifest, options, log, baseDir, []);
    if (result.uploadError !== null) core.setFailed(result.uploadError);
    failIfTargetsFailed(result.manifest);
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The prefix a plan hands to its build jobs and its collect job: the given one, else one derived
 * from the module path and the call (asked of Go only then), so two builds in one run never take
 * each other's artifacts.
 */
async function prefixOf(options: Options): Promise<string> {
  if (options.artifactPrefix !== null) return options.artifactPrefix;
  const env = queryEnvironment(process.env, options.env);
  const module = await loadModule(options.workingDirectory, env, options.flags, options.packages);
  return artifactPrefix(null, module.path, process.env);
}

/** Outputs, job summary, badge and commit status: the same after a build and after a collect. */
async function report(
  result: Pick<BuildResult, 'manifest' | 'manifestPath' | 'matrix'>,
  options: Options,
  log: ActionLogger,
  baseDir: string,
): Promise<void> {
  setOutputs(result, baseDir);
  if (options.summary) await writeSummary(result.manifest, log);
  await publishReports(result.manifest, options, process.env, log);
}

/** Attestation subjects and the release; a release that fails fails the step, after the reports. */
async function releaseStep(
  manifest: Manifest,
  options: Options,
  log: ActionLogger,
  baseDir: string,
  missing: readonly string[],
): Promise<void> {
  try {
    const { subjects, release } = await handOff({
      manifest,
      options,
      baseDir,
      env: process.env,
      log,
      missing,
    });
    core.setOutput('attestation-subjects', subjects);
    core.setOutput('release-url', release?.url ?? '');
    if (release !== null && release.state !== 'skipped' && options.summary) {
      await core.summary.addRaw(renderReleaseSummary(release)).write();
    }
  } catch (err) {
    core.setOutput('release-url', '');
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}

function failIfTargetsFailed(manifest: Manifest): void {
  const failures = manifest.artifacts.filter((a) => isFailure(a.status));
  if (failures.length > 0) {
    core.setFailed(
      `${failures.length} of ${manifest.artifacts.length} target(s) failed: ${failures.map((a) => `${a.target} (${a.status})`).join(', ')}`,
    );
  }
}

function setOutputs(
  result: Pick<BuildResult, 'manifest' | 'manifestPath' | 'matrix'>,
  baseDir: string,
): void {
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

async function writeSummary(manifest: Manifest, log: ActionLogger): Promise<void> {
  try {
    await core.summary.addRaw(renderSummary(manifest)).write();
  } catch (err) {
    log.warning(`The job summary could not be written: ${err instanceof Error ? err.message : String(err)}`);
  }
}
