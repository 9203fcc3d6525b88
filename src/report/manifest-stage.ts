// The manifest stage: the compiler's messages as annotations, then manifest.json, the record every
// later step (upload, release, the summary, a collect job) reads; output-dir is tidied after it.
import type { BuildOutcome } from '../compile/build-target.js';
import { mergeDiagnostics } from '../compile/diagnostics.js';
import type { Logger } from '../log.js';
import { tidyOutputDir } from '../package/output-dir.js';
import type { Recorded, Reported } from '../pipeline/context.js';
import { TOOL } from '../version.js';
import { relativeToBase } from './artifact-entry.js';
import type { Manifest } from './manifest.js';
import { writeManifest } from './manifest.js';
import { builtWith, runAttempt, workspaceRecord } from './records.js';

export async function manifestStage(run: Recorded): Promise<Reported> {
  const { options, ctx, toolchain, module, metadata, artifacts } = run;
  annotateDiagnostics(
    run.results.filter((r) => r !== null).map((r) => r.outcome),
    ctx.log,
  );
  const manifest: Manifest = {
    schemaVersion: 1,
    tool: { name: TOOL.name, version: TOOL.version },
    go: {
      version: builtWith(artifacts, toolchain.version, ctx.log),
      hostGoos: toolchain.hostGoos,
      hostGoarch: toolchain.hostGoarch,
    },
    module: module.path,
    workspace: workspaceRecord(module, ctx),
    version: metadata.version,
    commit: metadata.commit,
    date: metadata.date,
    runAttempt: runAttempt(ctx.env),
    cache: run.cache,
    buildPhaseSeconds: Math.round(run.buildPhaseSeconds * 100) / 100,
    stageSeconds: { ...run.stageSeconds },
    checksums: run.checksumsPath === null ? null : relativeToBase(run.checksumsPath, ctx),
    artifacts,
    ...(run.reproduceSeconds === null ? {} : { reproduceSeconds: run.reproduceSeconds }),
    ...(run.size === null ? {} : { size: run.size }),
  };
  const manifestPath = await writeManifest(options.outputDir, manifest);
  await tidyOutputDir(
    {
      outputDir: options.outputDir,
      baseDir: ctx.baseDir,
      workingDirectory: run.cwd,
      previous: run.previous,
      current: manifest,
    },
    ctx.log,
  );
  return { ...run, manifest, manifestPath };
}

/** One annotation per distinct diagnostic, naming every target that reported it. */
function annotateDiagnostics(outcomes: readonly BuildOutcome[], log: Logger): void {
  const merged = mergeDiagnostics(
    outcomes.map((o) => ({ target: o.job.target.id, diagnostics: o.diagnostics })),
  );
  for (const { diagnostic, targets } of merged) {
    log.error(`${diagnostic.message} (${targets.join(', ')})`, {
      file: diagnostic.file,
      line: diagnostic.line,
      ...(diagnostic.col !== null ? { col: diagnostic.col } : {}),
      title: 'go build',
    });
  }
}
