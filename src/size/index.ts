// The size stage: each built binary's size against the same target and package of a baseline
// (the previous release's manifest.json by default), and `size-budget`, which fails a target
// that grew past it. A baseline that cannot be read is a note, and a failure only where a
// budget needed its figure.
import type { Logger } from '../log.js';
import type { Checksummed, Sized } from '../pipeline/context.js';
import type { ArtifactEntry, SizeChange, SizeReport } from '../report/manifest.js';
import { formatBytes } from '../report/format.js';
import type { Baseline, BaselineManifest, SizeBaseline } from './baseline.js';
import { readBaseline } from './baseline.js';
import type { SizeBudget } from './budget.js';
import { allowedSize } from './budget.js';
import { formatSizeChange } from './format.js';

export type { SizeBaseline } from './baseline.js';
export type { SizeBudget } from './budget.js';

interface SizeStageInput {
  readonly artifacts: readonly ArtifactEntry[];
  readonly baseline: SizeBaseline;
  readonly budget: SizeBudget | null;
  readonly token: string;
  readonly prerelease: 'auto' | 'true' | 'false';
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
}

interface SizeStageResult {
  /** The artifacts with `sizeChange` set, and `size-failed` where the budget was exceeded or could not be checked. */
  readonly artifacts: ArtifactEntry[];
  /** For the manifest; null with size-baseline: off. */
  readonly report: SizeReport | null;
}

/** The size stage: the artifacts with their size change, and the size report for the manifest. */
export async function sizeStage(run: Checksummed): Promise<Sized> {
  const { options, ctx } = run;
  const { artifacts, report } = await compareSizes({
    artifacts: run.artifacts,
    baseline: options.sizeBaseline,
    budget: options.sizeBudget,
    token: options.githubToken,
    prerelease: options.prerelease,
    env: ctx.env,
    log: ctx.log,
  });
  return { ...run, artifacts, size: report };
}

async function compareSizes(input: SizeStageInput): Promise<SizeStageResult> {
  const { log, budget } = input;
  if (input.baseline.kind === 'off') return { artifacts: [...input.artifacts], report: null };
  const built = input.artifacts.filter((a) => a.status === 'ok' && a.size !== null);
  if (built.length === 0) {
    return {
      artifacts: [...input.artifacts],
      report: { baseline: null, note: 'nothing was built', budget: budget?.text ?? null },
    };
  }
  const baseline = await readBaseline({
    baseline: input.baseline,
    token: input.token,
    prerelease: input.prerelease,
    env: input.env,
    log,
  });
  if (!baseline.found) return unchecked(input, baseline);
  log.info(`Size: compared with ${baseline.source}.`);
  const previousOf = sizesOf(baseline.manifest);
  const artifacts = input.artifacts.map((a): ArtifactEntry => {
    if (a.status !== 'ok' || a.size === null) return a;
    const previous = previousOf.get(key(a)) ?? null;
    const sizeChange: SizeChange = {
      baseline: baseline.source,
      previous,
      change: previous === null ? null : a.size - previous,
    };
    const entry = { ...a, sizeChange };
    if (budget === null || previous === null || a.size <= allowedSize(budget, previous)) return entry;
    return {
      ...entry,
      status: 'size-failed',
      error: `${a.target}${a.package === '.' ? '' : ` (${a.package})`} grew past size-budget ${budget.text}: ${formatBytes(previous)} in ${baseline.source}, ${formatSizeChange(a.size, sizeChange)} now.`,
    };
  });
  for (const a of artifacts) if (a.status === 'size-failed' && a.error !== null) log.error(a.error);
  return { artifacts, report: { baseline: baseline.source, note: null, budget: budget?.text ?? null } };
}

/** No figures: a note, and with a budget that needed them, a failed target saying why. */
function unchecked(input: SizeStageInput, baseline: Extract<Baseline, { found: false }>): SizeStageResult {
  const { budget, log } = input;
  const report: SizeReport = { baseline: null, note: baseline.note, budget: budget?.text ?? null };
  if (budget === null || !baseline.blocksBudget) {
    const line = `Size: not compared, ${baseline.note}.`;
    if (baseline.failed) log.warning(line);
    else log.info(line);
    return { artifacts: [...input.artifacts], report };
  }
  log.warning(`Size: size-budget ${budget.text} could not be checked: ${baseline.note}.`);
  const artifacts = input.artifacts.map((a): ArtifactEntry =>
    a.status !== 'ok' || a.size === null
      ? a
      : {
          ...a,
          status: 'size-failed',
          error: `size-budget ${budget.text} could not be checked for ${a.target}: ${baseline.note}. Give size-baseline a manifest.json to compare with, or leave size-budget empty.`,
        },
  );
  return { artifacts, report };
}

function key(a: { target: string; package: string }): string {
  return `${a.package}\u0000${a.target}`;
}

/** Sizes of the baseline's binaries that were built, by package and target. */
function sizesOf(manifest: BaselineManifest): Map<string, number> {
  return new Map(
    manifest.artifacts.flatMap((a) => (a.status === 'ok' && a.size !== null ? [[key(a), a.size]] : [])),
  );
}
