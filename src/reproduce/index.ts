// The reproduce stage (`reproducible: check`): every built target is built a second time with the
// same argv and environment, except what must not matter: the source at another path, an empty
// GOCACHE, another TMPDIR, umask and time zone, and later. The same sha256 proves the build
// reproducible; a difference is explained from the two files. The first build's files are only read.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildJob } from '../compile/plan.js';
import { runPool } from '../compile/pool.js';
import type { Packaged, Reproduced, TargetResult } from '../pipeline/context.js';
import { describeFailure, run } from '../exec.js';
import type { GoModule } from '../go/module.js';
import type { Logger } from '../log.js';
import type { ArtifactEntry, ReproducibleRecord } from '../report/manifest.js';
import type { SourceCopy } from './copy.js';
import { copySource } from './copy.js';
import type { BuildPlaces } from './explain.js';
import { explainDifference } from './explain.js';

interface ReproduceInput {
  readonly jobs: readonly BuildJob[];
  /** The first builds' results, index for index with `jobs`. */
  readonly results: readonly (TargetResult | null)[];
  /** `jobs`' entries index for index, then any universal binary (derived from its slices). */
  readonly artifacts: readonly ArtifactEntry[];
  readonly module: GoModule;
  /** Where the first builds ran (working-directory). */
  readonly cwd: string;
  readonly outputDir: string;
  /** The `env` input: a SOURCE_DATE_EPOCH set there is part of the build, an inherited one is not. */
  readonly userEnv: Readonly<Record<string, string>>;
  readonly trimpath: boolean;
  readonly parallel: number;
  readonly timeoutMs: number;
  /** The job's environment (git runs in it). */
  readonly env: Record<string, string>;
  readonly log: Logger;
}

/** The reproduce stage (`reproducible: check`): before anything hashes or ships the files; it compares the unsigned file of a signed one. */
export async function reproduceStage(run: Packaged): Promise<Reproduced> {
  const { options, ctx } = run;
  if (options.reproducible !== 'check') return { ...run, reproduceSeconds: null };
  const { artifacts, seconds } = await rebuildAndCompare({
    jobs: run.jobs,
    results: run.results,
    artifacts: run.artifacts,
    module: run.module,
    cwd: run.cwd,
    outputDir: options.outputDir,
    userEnv: options.env,
    trimpath: options.trimpath,
    parallel: run.budget.targets,
    timeoutMs: options.buildTimeoutMs,
    env: run.env,
    log: ctx.log,
  });
  return { ...run, artifacts, reproduceSeconds: seconds };
}

/** The artifacts with `reproducible` set on every one that was built; the stage's seconds. */
async function rebuildAndCompare(
  input: ReproduceInput,
): Promise<{ artifacts: ArtifactEntry[]; seconds: number }> {
  const started = process.hrtime.bigint();
  const { log } = input;
  const root = await mkdtemp(path.join(os.tmpdir(), 'go-build-matrix-reproduce-'));
  // The umask in force when the second builds start (set below, restored at the end).
  let umask: number | null = null;
  try {
    const source = path.join(root, 'src');
    let copy: SourceCopy;
    try {
      copy = await copySource(input.module.dir, input.outputDir, source, input.env);
    } catch (err) {
      const cause = `the source could not be copied for a second build: ${(err as Error).message}`;
      log.warning(`reproducible: ${cause}`);
      return { artifacts: mark(input, () => failedRecord(cause)), seconds: elapsed(started) };
    }
    await Promise.all(['gocache', 'tmp', 'out'].map((d) => mkdir(path.join(root, d))));
    // A umask unlike the first build's for every file the second builds write.
    umask = process.umask(0o077);
    if (umask === 0o077) process.umask(0o022);
    const places = await placesOf(input, copy, root);
    const records = await runPool(
      input.jobs.map((job, i) => ({ job, result: input.results[i] ?? null })),
      input.parallel,
      false,
      ({ job, result }) =>
        reproduceOne(job, result, input, copy, root, places).catch((err: unknown) => {
          // Whatever goes wrong here is this check's problem, never the target's.
          const cause = `the second build could not be compared: ${(err as Error).message}`;
          log.warning(`reproducible ${job.target.id} (${job.package}): ${cause}`);
          return failedRecord(cause);
        }),
      () => false,
      () => null,
    );
    const artifacts = mark(input, (i) => records[i] ?? null);
    const built = artifacts.filter((a) => a.reproducible !== undefined);
    const same = built.filter((a) => a.reproducible?.same === true).length;
    const seconds = elapsed(started);
    log.info(`Reproduced ${same}/${built.length} file(s) byte for byte in ${seconds.toFixed(1)} s.`);
    return { artifacts, seconds };
  } finally {
    if (umask !== null) process.umask(umask);
    await rm(root, { recursive: true, force: true });
  }
}

function elapsed(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100;
}

function failedRecord(cause: string): ReproducibleRecord {
  return { same: false, sha256Again: null, cause };
}

/** Each built job's entry with its record; a universal binary's from its slices'. */
function mark(input: ReproduceInput, recordOf: (i: number) => ReproducibleRecord | null): ArtifactEntry[] {
  const jobEntries = input.artifacts.slice(0, input.jobs.length).map((a, i) => {
    const record = input.results[i]?.outcome.ok ? recordOf(i) : null;
    return record === null ? a : { ...a, reproducible: record };
  });
  const derived = input.artifacts.slice(input.jobs.length).map((u) => {
    if (u.goarch !== 'universal' || u.path === null) return u;
    // The universal file is composed from its slices' bytes and nothing else: it reproduces when they do.
    const slices = jobEntries.filter(
      (a) =>
        a.package === u.package &&
        a.goos === 'darwin' &&
        (a.goarch === 'amd64' || a.goarch === 'arm64') &&
        a.reproducible !== undefined,
    );
    if (slices.length === 0) return u;
    const differ = slices.filter((s) => s.reproducible?.same !== true);
    const record: ReproducibleRecord = {
      same: differ.length === 0,
      sha256Again: differ.length === 0 ? u.sha256 : null,
      cause:
        differ.length === 0
          ? null
          : differ.map((s) => `slice ${s.target} ${s.reproducible?.cause ?? 'differs'}`).join('; '),
    };
    return { ...u, reproducible: record };
  });
  return [...jobEntries, ...derived];
}

interface Places {
  readonly first: BuildPlaces;
  readonly second: BuildPlaces;
}

/** The directories each build could leak into its file: its source tree (as given and resolved); the second's temp dirs. */
async function placesOf(input: ReproduceInput, copy: SourceCopy, root: string): Promise<Places> {
  const both = async (dirs: (string | undefined)[]): Promise<string[]> => {
    const given = dirs.filter((d): d is string => d !== undefined && d !== '' && d !== '/');
    const real = await Promise.all(given.map((d) => realpath(d).catch(() => d)));
    return [...new Set([...given, ...real])];
  };
  // Not the first build's TMPDIR: Go maps its work directory out, and '/tmp' is in many a binary anyway.
  return {
    first: { dirs: await both([copy.from, input.module.dir]) },
    second: { dirs: await both([copy.to, root]) },
  };
}

async function reproduceOne(
  job: BuildJob,
  result: TargetResult | null,
  input: ReproduceInput,
  copy: SourceCopy,
  root: string,
  places: Places,
): Promise<ReproducibleRecord | null> {
  const outcome = result?.outcome;
  if (!outcome?.ok || outcome.sha256 === null) return null;
  const relativeCwd = path.relative(copy.from, input.cwd);
  const cwd = path.join(copy.to, relativeCwd);
  const out = path.join(
    root,
    'out',
    job.target.id.replaceAll('/', '-'),
    job.package.replace(/[^\w.-]/g, '_'),
  );
  await mkdir(out, { recursive: true });
  // The same file name: darwin/arm64's ad-hoc signature names the file it signs.
  const output = path.join(out, path.basename(job.output));
  const argv = job.argv.map((a, i) => (i > 0 && job.argv[i - 1] === '-o' ? output : a));
  const second = await run(argv, { cwd, env: secondEnv(job, input, cwd, root), timeoutMs: input.timeoutMs });
  const id = `${job.target.id} (${job.package})`;
  if (second.exitCode !== 0 || second.timedOut || second.signal !== null || second.spawnError !== null) {
    const lines = `${second.stdout}${second.stderr}`
      .trim()
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('# '));
    const missing = await notInCommit(job, input, copy);
    const cause = missing
      ? `the commit alone does not build it: ${missing}`
      : `the second build failed: ${describeFailure('go build', second)}${lines[0] ? `: ${lines[0]}` : ''}`;
    input.log.warning(`reproducible ${id}: ${cause}`);
    return failedRecord(cause);
  }
  const again = await readFile(output);
  const sha256Again = createHash('sha256').update(again).digest('hex');
  if (sha256Again === outcome.sha256) {
    input.log.info(`reproducible ${id}: the second build wrote the same bytes (sha256 ${sha256Again}).`);
    return { same: true, sha256Again, cause: null };
  }
  // The first file as go build wrote it: signing changed the shipped one.
  const first = result?.unsigned ?? (await readFile(result?.file ?? job.output));
  const explained = await explainDifference(first, again, places.first, places.second, input.trimpath);
  const missing = await notInCommit(job, input, copy);
  const cause = missing ? `${explained.sentence}; ${missing}` : explained.sentence;
  input.log.warning(`reproducible ${id}: the second build ${cause}`);
  return { same: false, sha256Again, cause };
}

/**
 * The first build's environment with what must not matter changed: an empty GOCACHE, another
 * TMPDIR (and GOTMPDIR), another time zone, no inherited SOURCE_DATE_EPOCH, PWD at the copy.
 */
function secondEnv(job: BuildJob, input: ReproduceInput, cwd: string, root: string): Record<string, string> {
  const env: Record<string, string> = { ...job.env };
  const tmp = path.join(root, 'tmp');
  env.GOCACHE = path.join(root, 'gocache');
  env.TMPDIR = tmp;
  if (env.GOTMPDIR !== undefined) env.GOTMPDIR = tmp;
  if (env.TMP !== undefined) env.TMP = tmp;
  if (env.TEMP !== undefined) env.TEMP = tmp;
  // A POSIX zone needing no tz database: UTC+14, unlike any runner's.
  env.TZ = env.TZ === 'GBM-14' ? 'GBM+12' : 'GBM-14';
  if (input.userEnv.SOURCE_DATE_EPOCH === undefined) delete env.SOURCE_DATE_EPOCH;
  env.PWD = cwd;
  return env;
}

/** "it embeds gen/data.txt, which is not in the commit" when the first build read untracked files of the module. */
async function notInCommit(job: BuildJob, input: ReproduceInput, copy: SourceCopy): Promise<string | null> {
  if (copy.tracked === null) return null;
  // One line per file of the main module's packages: kind, directory, name.
  const each = (field: string, kind: string): string =>
    `{{range .${field}}}${kind}{{"\\t"}}{{$d}}{{"\\t"}}{{.}}{{"\\n"}}{{end}}`;
  const compiled = ['GoFiles', 'CgoFiles', 'CFiles', 'CXXFiles', 'HFiles', 'SFiles', 'SysoFiles'];
  const template = `{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}${compiled.map((f) => each(f, 'c')).join('')}${each('EmbedFiles', 'e')}{{end}}{{end}}`;
  // The build's own flags (tags, -mod, …), without `go build`, its -o and the package.
  const flags = job.argv.slice(2, -1).filter((a, i, all) => a !== '-o' && all[i - 1] !== '-o');
  const listed = await run(['go', 'list', '-deps', '-f', template, ...flags, job.package], {
    cwd: input.cwd,
    env: job.env,
    timeoutMs: 120_000,
  });
  if (listed.exitCode !== 0) return null;
  const untracked: { file: string; embedded: boolean }[] = [];
  // A go.work left out of the repository (it often is) decides the first build alone.
  const work = input.module.workspace?.file;
  const workRel = work === undefined ? null : path.relative(copy.from, work).split(path.sep).join('/');
  if (workRel !== null && !copy.tracked.has(workRel)) untracked.push({ file: workRel, embedded: false });
  for (const line of listed.stdout.split('\n')) {
    const [kind, dir, name] = line.split('\t');
    if (dir === undefined || name === undefined) continue;
    const rel = path.relative(copy.from, path.join(dir, name)).split(path.sep).join('/');
    if (!copy.tracked.has(rel)) untracked.push({ file: rel, embedded: kind === 'e' });
  }
  if (untracked.length === 0) return null;
  const names =
    untracked
      .slice(0, 3)
      .map((u) => u.file)
      .join(', ') + (untracked.length > 3 ? ` and ${untracked.length - 3} more` : '');
  const verb = untracked.every((u) => u.embedded) ? 'embeds' : 'is built from';
  return `it ${verb} ${names}, which ${untracked.length === 1 ? 'is' : 'are'} not in the commit (generated or left in the checkout before the build)`;
}
