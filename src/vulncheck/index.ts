// The vulncheck stage: every binary that passed goes through `govulncheck -mode=binary`; what
// it finds goes into the binary's manifest entry (and from there the summary, table and SBOM).
// `fail` fails a target whose binary holds a vulnerable function; `warn` only says so.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildJob } from '../compile/plan.js';
import type { Logger } from '../log.js';
import type { Packaged } from '../pipeline/context.js';
import { describeFailure, run } from '../exec.js';
import { setAside } from '../package/output-dir.js';
import type { VulncheckMode } from '../options/vulncheck.js';
import type { ArtifactEntry, VulncheckRecord } from '../report/manifest.js';
import type { GoToolSpec } from '../tools/go-tool.js';
import { goTool, GoToolError } from '../tools/go-tool.js';
import { describeFinding, findingIds } from './describe.js';
import { readFindings } from './findings.js';
import { unstrippedArgv } from './relink.js';

/** The pinned scanner: golang.org/x/vuln, built from the module proxy with the job's Go. */
export const GOVULNCHECK: GoToolSpec = { pkg: 'golang.org/x/vuln/cmd/govulncheck', version: 'v1.9.0' };
/** govulncheck's own default database. */
export const DEFAULT_VULN_DB = 'https://vuln.go.dev';

interface VulncheckInput {
  readonly mode: VulncheckMode;
  /** A database URL (https:// or file://); null: govulncheck's default. */
  readonly db: string | null;
  readonly jobs: readonly BuildJob[];
  /** The manifest entries of `jobs`, index for index; scanned entries get `vulncheck` (and fail in `fail` mode). */
  readonly artifacts: ArtifactEntry[];
  readonly toolchain: { readonly version: string; readonly hostGoos: string; readonly hostGoarch: string };
  /** The job's environment for `go` (module source, caches). */
  readonly env: Readonly<Record<string, string>>;
  /** Where `go build` ran (for the unstripped link). */
  readonly cwd: string;
  readonly outputDir: string;
  readonly buildTimeoutMs: number;
  /** Manifest paths are relative to `baseDir`. */
  readonly ctx: { readonly baseDir: string; readonly log: Logger };
}

/** Formats govulncheck reads (golang.org/x/vuln/internal/buildinfo): ELF, PE and thin Mach-O. */
const READABLE = ['elf', 'pe', 'macho'];
const SCANS_AT_ONCE = 4;

/** The vulncheck stage: the targets' entries get `vulncheck`, and in `fail` mode a finding fails the target. */
export async function vulncheckStage(run: Packaged): Promise<Packaged> {
  const { options, ctx, toolchain } = run;
  await scanBinaries({
    mode: options.vulncheck,
    db: options.vulncheckDb,
    jobs: run.jobs,
    artifacts: run.artifacts,
    toolchain,
    env: run.env,
    cwd: run.cwd,
    outputDir: options.outputDir,
    buildTimeoutMs: options.buildTimeoutMs,
    ctx,
  });
  return run;
}

async function scanBinaries(input: VulncheckInput): Promise<void> {
  if (input.mode === 'off') return;
  const { ctx } = input;
  const scanned = input.jobs
    .map((job, i) => ({ job, entry: input.artifacts[i] as ArtifactEntry }))
    .filter(({ entry }) => entry.status === 'ok' && entry.path !== null);
  if (scanned.length === 0) return;
  const db = input.db ?? DEFAULT_VULN_DB;
  const scanner = `govulncheck@${GOVULNCHECK.version}`;
  let tool: string;
  try {
    const started = process.hrtime.bigint();
    const { file, built } = await goTool({
      tool: GOVULNCHECK,
      goVersion: input.toolchain.version,
      hostGoos: input.toolchain.hostGoos,
      hostGoarch: input.toolchain.hostGoarch,
      env: input.env,
    });
    const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
    ctx.log.info(
      built
        ? `${scanner}: built with ${input.toolchain.version} into ${file} in ${seconds} s (reused by later runs).`
        : `${scanner}: ${file} (built by an earlier run).`,
    );
    tool = file;
  } catch (err) {
    if (!(err instanceof GoToolError)) throw err;
    const reason = `govulncheck is not available: ${err.message}`;
    for (const { entry } of scanned) {
      entry.vulncheck = record(scanner, db, { error: reason });
      if (input.mode === 'fail') await failTarget(entry, `vulncheck: fail, and ${reason}`, input);
    }
    const what = `${reason}. No binary was scanned for known vulnerabilities; make the Go module proxy reachable (GOPROXY) or set 'vulncheck: off'.`;
    if (input.mode === 'fail') ctx.log.error(what, { title: 'vulncheck' });
    else ctx.log.warning(what, { title: 'vulncheck' });
    return;
  }
  for (let i = 0; i < scanned.length; i += SCANS_AT_ONCE) {
    await Promise.all(
      scanned
        .slice(i, i + SCANS_AT_ONCE)
        .map(({ job, entry }) => scanTarget(job, entry, tool, scanner, db, input)),
    );
  }
}

async function scanTarget(
  job: BuildJob,
  entry: ArtifactEntry,
  tool: string,
  scanner: string,
  db: string,
  input: VulncheckInput,
): Promise<void> {
  const { ctx } = input;
  const format = entry.verify?.format ?? null;
  if (format !== null && !READABLE.includes(format)) {
    entry.vulncheck = record(scanner, db, {
      error: `govulncheck reads ELF, PE and Mach-O files, not ${format}: not scanned`,
    });
    ctx.log.warning(`${entry.target}: ${entry.vulncheck.error ?? ''}.`, {
      title: `vulncheck ${entry.target}`,
    });
    return;
  }
  const temp = await mkdtemp(path.join(os.tmpdir(), 'gbm-vulncheck-'));
  try {
    const twin = path.join(temp, path.basename(job.output));
    const relinkArgv = unstrippedArgv(job.argv, twin);
    let file = path.resolve(ctx.baseDir, entry.path as string);
    if (relinkArgv !== null) {
      const linked = await run(relinkArgv, { cwd: input.cwd, env: job.env, timeoutMs: input.buildTimeoutMs });
      if (linked.exitCode !== 0) {
        const said = `${linked.stderr}`.trim().split('\n').slice(0, 3).join(' ');
        return await scanFailed(
          entry,
          record(scanner, db, {
            error: `linking it again without -s for its symbol table failed (${describeFailure('go build', linked)}${said ? `: ${said}` : ''})`,
          }),
          input,
        );
      }
      ctx.log.debug(`${entry.target}: linked without -s for govulncheck in ${linked.seconds.toFixed(1)} s`);
      file = twin;
    }
    const argv = [tool, '-mode=binary', '-format', 'json', ...(input.db ? ['-db', input.db] : []), file];
    const result = await run(argv, {
      cwd: temp,
      env: { ...input.env },
      timeoutMs: 10 * 60_000,
      maxOutputBytes: 256 * 1024 * 1024,
    });
    const seconds = Math.round(result.seconds * 100) / 100;
    const scannedAs = relinkArgv === null ? 'binary' : 'unstripped-link';
    if (result.exitCode !== 0) {
      const said = result.stderr.trim().split('\n').slice(-3).join(' ');
      return await scanFailed(
        entry,
        record(scanner, db, {
          seconds,
          error: `${describeFailure('govulncheck', result)}${said ? `: ${said}` : ''}`,
        }),
        input,
      );
    }
    let findings;
    try {
      findings = readFindings(result.stdout);
    } catch (err) {
      return await scanFailed(
        entry,
        record(scanner, db, {
          seconds,
          error: `govulncheck's JSON could not be read: ${(err as Error).message}`,
        }),
        input,
      );
    }
    entry.vulncheck = { ...record(scanner, db, { seconds }), scanned: scannedAs, ...findings };
    await report(entry, input);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Says what was found; in `fail` mode a reachable finding fails the target. */
async function report(entry: ArtifactEntry, input: VulncheckInput): Promise<void> {
  const { ctx } = input;
  const v = entry.vulncheck as VulncheckRecord;
  const required = v.required?.length ?? 0;
  const parts = [
    ...(v.imported.length > 0
      ? [
          `${v.imported.length} imported, not reachable (no vulnerable function in the binary): ${v.imported.map(describeFinding).join('; ')}`,
        ]
      : []),
    ...(required > 0 ? [`${required} in modules it links without their vulnerable packages`] : []),
  ];
  if (parts.length > 0) ctx.log.info(`${entry.target}: known vulnerabilities ${parts.join('; ')}.`);
  if (v.reachable.length === 0) return;
  const found = `${v.reachable.length} known vulnerabilit${v.reachable.length === 1 ? 'y' : 'ies'} reachable in ${entry.path ?? entry.target}: ${v.reachable.map(describeFinding).join('; ')}`;
  if (input.mode === 'fail') {
    await failTarget(entry, `vulncheck: ${findingIds(v.reachable)} reachable`, input);
    ctx.log.error(`${entry.target}: ${found}`, { title: `vulncheck ${entry.target}` });
  } else {
    ctx.log.warning(`${entry.target}: ${found}`, { title: `vulncheck ${entry.target}` });
  }
}

async function scanFailed(entry: ArtifactEntry, rec: VulncheckRecord, input: VulncheckInput): Promise<void> {
  entry.vulncheck = rec;
  const what = `${entry.target}: not scanned for known vulnerabilities: ${rec.error ?? ''}`;
  if (input.mode === 'fail') {
    await failTarget(entry, `vulncheck: not scanned: ${rec.error ?? ''}`, input);
    input.ctx.log.error(what, { title: `vulncheck ${entry.target}` });
  } else {
    input.ctx.log.warning(what, { title: `vulncheck ${entry.target}` });
  }
}

/** A failed target ships nothing: its binary is set aside in failed/, its archive removed. */
async function failTarget(entry: ArtifactEntry, error: string, input: VulncheckInput): Promise<void> {
  const { ctx } = input;
  entry.status = 'vulncheck-failed';
  entry.error = error;
  if (entry.archive !== null) await rm(path.resolve(ctx.baseDir, entry.archive), { force: true });
  entry.archive = null;
  entry.archiveSha256 = null;
  if (entry.path === null) return;
  const kept = await setAside(path.resolve(ctx.baseDir, entry.path), input.outputDir, ctx.log);
  entry.path = kept === null ? null : path.relative(ctx.baseDir, kept).split(path.sep).join('/');
}

function record(scanner: string, db: string, with_: { error?: string; seconds?: number }): VulncheckRecord {
  return {
    scanner,
    db,
    scanned: null,
    seconds: with_.seconds ?? null,
    reachable: [],
    imported: [],
    required: [],
    error: with_.error ?? null,
  };
}
