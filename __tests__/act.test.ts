// The act runs of the action and the reusable workflow; how act runs them here, and what it does
// not do, is said in ./support/act.ts.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../src/report/manifest.js';
import { tempDir } from './support/engine.js';
import type { ActTools, ArtifactOutput } from './support/act.js';
import {
  ACT_VERSION,
  execFileAsync,
  jobResults,
  problems,
  repository,
  runAct,
  setUpAct,
  sha256,
  stepOutputs,
  summaries,
  tc,
} from './support/act.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { EXAMPLE_MODULE, REPO_ROOT, SUITE_GOCACHE } from './support/toolchains.js';

let tools: ActTools;
beforeAll(async () => {
  tools = await setUpAct();
}, 20 * 60_000);

let service: ResultsService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

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
    const run = await runAct(tools, repo, 'step.yml');
    expect([run.exitCode, problems(run)]).toEqual([0, '']);
    expect(jobResults(run)).toEqual({ 'step/build': 'success' });

    // The action ran under act's node24 handling with the Node on PATH.
    expect(readFileSync(path.join(run.report, 'node-version'), 'utf8')).toMatch(/^v24\./);
    const outputs = JSON.parse(readFileSync(path.join(run.report, 'outputs.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(outputs).sort()).toEqual([
      'artifact-prefix',
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
    // Every output has a value; release-url is empty because no release was made, artifact-prefix
    // because none was given (a plain build names its artifacts after artifact-name alone).
    for (const [name, value] of Object.entries(outputs))
      expect([name, value === '']).toEqual([name, name === 'release-url' || name === 'artifact-prefix']);
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
    const run = await runAct(tools, repo, 'caller.yml', { env: service.env });
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

    // The plan derived the artifact prefix of this call; every leg's artifact starts with it.
    const prefix = stepOutputs(run, `${jobs}/plan`, 'plan')[0]?.['artifact-prefix'] ?? '';
    expect(prefix).toMatch(/^hello-[0-9a-f]{8}-$/);
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
    ).toEqual(targets.map((t) => `${prefix}hello-${t.replace('/', '-')}`).sort());

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
        const dir = path.join(out, `${prefix}hello-${a.target.replace('/', '-')}`);
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
      'artifact-prefix': prefix,
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
    const run = await runAct(tools, repo, 'caller.yml', { env: service.env });
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
    ).toEqual(
      ['broken-linux-amd64', 'broken-windows-amd64'].map(
        (n) => `${stepOutputs(run, `${jobs}/plan`, 'plan')[0]?.['artifact-prefix'] ?? ''}${n}`,
      ),
    );
    // The caller's job that needs the called workflow did not run.
    expect(existsSync(path.join(run.report, 'check-ran'))).toBe(false);
    expect(results['caller/check']).toBeUndefined();
  });
});
