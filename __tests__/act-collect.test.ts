// The reusable workflow's collect as an organisation meets it (issue 27, items 2-4), run by act in
// host mode as ./support/act.ts describes: a target list with two spellings of one binary split over
// two chunks; two calls of the workflow in one run; a failed leg, then a second attempt of the run.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActRun, ActTools, ArtifactOutput } from './support/act.js';
import {
  ACT_VERSION,
  execFileAsync,
  jobResults,
  problems,
  repository,
  runAct,
  setUpAct,
  stepOutputs,
  tc,
} from './support/act.js';
import { copyModule } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { EXAMPLE_MODULE, REPO_ROOT } from './support/toolchains.js';

let tools: ActTools;
beforeAll(async () => {
  tools = await setUpAct();
}, 20 * 60_000);

let service: ResultsService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

/** A caller job of the reusable workflow. */
function call(job: string, inputs: Record<string, string | number>): string {
  return `  ${job}:
    permissions:
      contents: read
      statuses: write
    uses: ./.github/workflows/go-build-matrix.yml
    with:
${Object.entries(inputs)
  .map(([k, v]) => `      ${k}: ${typeof v === 'number' ? v : `'${v}'`}`)
  .join('\n')}
`;
}

const caller = (...jobs: string[]) => `name: caller\non: push\njobs:\n${jobs.join('')}`;

const outputsOf = (run: ActRun, job: string, step: string) => stepOutputs(run, job, step)[0] ?? {};
const artifactsOf = (outputs: Record<string, string>) =>
  JSON.parse(outputs.artifacts ?? '[]') as ArtifactOutput[];

describe(`the reusable workflow's collect under nektos/act ${ACT_VERSION}`, () => {
  it('first-class plus linux/arm/7 in 2 chunks: one linux/arm binary, one artifact, no 409, collect green', async () => {
    service = await startResultsService({ runId: '1', jobId: '1' });
    const repo = await repository(
      {
        'caller.yml': caller(
          call('gbm', {
            targets: 'first-class linux/arm/7',
            'working-directory': 'examples/hello',
            chunks: 2,
            'go-version': tc.release,
          }),
        ),
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
    });
    // The plan merged the two spellings before it split the targets: linux/arm/7 in one chunk only.
    const planned = (
      JSON.parse(outputsOf(run, `${jobs}/plan`, 'runners').matrix ?? '{}') as {
        include: { targets: string }[];
      }
    ).include.flatMap((c) => c.targets.split(' '));
    expect(planned.filter((t) => t.startsWith('linux/arm/') || t === 'linux/arm')).toEqual(['linux/arm/7']);
    expect(new Set(planned).size).toBe(planned.length);
    // One artifact per planned target, one of them linux/arm's; no upload was refused.
    const prefix = outputsOf(run, `${jobs}/plan`, 'plan')['artifact-prefix'] ?? '';
    const names = service.artifacts().map((a) => a.name);
    expect(names.filter((n) => n.includes('linux-arm-'))).toEqual([`${prefix}hello-linux-arm-v7`]);
    expect(names.sort()).toEqual(
      planned.map((t) => `${prefix}hello-${t.replace(/\//g, '-').replace('-arm-7', '-arm-v7')}`).sort(),
    );
    expect(service.requests.filter((q) => q.status === 409)).toEqual([]);
    // collect: every target delivered (linux/arm as linux/arm/7's alias), one binary for both.
    const collected = outputsOf(run, `${jobs}/collect`, 'collect');
    expect(collected).toMatchObject({ failed: '0', built: String(planned.length) });
    expect(artifactsOf(collected).filter((a) => a.target.startsWith('linux/arm/'))).toEqual([
      expect.objectContaining({ target: 'linux/arm/7', status: 'ok' }),
    ]);
  });

  it('two calls in one run (two modules): each collect takes only its own legs', async () => {
    service = await startResultsService({ runId: '1', jobId: '1' });
    const inputs = (dir: string) => ({
      targets: 'linux/amd64 windows/amd64',
      'working-directory': dir,
      chunks: 2,
      'go-version': tc.release,
    });
    const repo = await repository(
      { 'caller.yml': caller(call('alpha', inputs('mods/alpha')), call('beta', inputs('mods/beta'))) },
      { 'mods/alpha': EXAMPLE_MODULE, 'mods/beta': EXAMPLE_MODULE },
    );
    // Two modules whose binaries are both `hello`: without prefixes their artifacts collide.
    for (const m of ['alpha', 'beta']) {
      writeFileSync(path.join(repo, 'mods', m, 'go.mod'), `module example.com/${m}/hello\n\ngo 1.19\n`);
    }
    await execFileAsync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qam', 'mods'],
      {
        cwd: repo,
      },
    );
    const run = await runAct(tools, repo, 'caller.yml', { env: service.env });
    expect([run.exitCode, problems(run)]).toEqual([0, '']);
    const results = jobResults(run);
    for (const m of ['alpha', 'beta'])
      expect([m, results[`${m}/go-build-matrix/collect`]]).toEqual([m, 'success']);

    const prefixes = ['alpha', 'beta'].map(
      (m) => outputsOf(run, `${m}/go-build-matrix/plan`, 'plan')['artifact-prefix'] ?? '',
    );
    expect(prefixes[0]).not.toBe(prefixes[1]);
    const names = service.artifacts().map((a) => a.name);
    expect(names).toHaveLength(4);
    expect(service.requests.filter((q) => q.status === 409)).toEqual([]);
    for (const [i, m] of ['alpha', 'beta'].entries()) {
      const jobs = `${m}/go-build-matrix`;
      // The legs' own files, by digest: each collect names exactly those.
      const legs = stepOutputs(run, `${jobs}/build-`, 'build').flatMap(artifactsOf);
      expect(legs.map((a) => a.target).sort()).toEqual(['linux/amd64', 'windows/amd64']);
      const collected = outputsOf(run, `${jobs}/collect`, 'collect');
      expect(collected['artifact-prefix']).toBe(prefixes[i]);
      const digests = (list: ArtifactOutput[]) => list.map((a) => `${a.target} ${a.sha256}`).sort();
      expect(digests(artifactsOf(collected))).toEqual(digests(legs));
      // collect downloaded two of the run's four artifacts: its own.
      const said = run.lines.find(
        (l) => l.job === `${jobs}/collect` && /artifacts start with the artifact prefix/.test(l.msg ?? ''),
      );
      expect(said?.msg).toContain(
        `2 of the run's 4 artifacts start with the artifact prefix "${prefixes[i]}"`,
      );
    }
    // Four downloads in all: no collect fetched the other call's artifacts.
    expect(service.requests.filter((q) => q.method === 'GetSignedArtifactURL')).toHaveLength(4);
  });

  it('a failed leg, then a second attempt of the run: collect takes the newest attempt and is green', async () => {
    // act runs one attempt of a workflow and cannot re-run only its failed jobs: the second attempt
    // is a second act run of the whole workflow with GITHUB_RUN_ATTEMPT=2 (act takes it from --env)
    // against the same run of the results service, whose re-run artifacts get lower ids.
    service = await startResultsService({ runId: '1', jobId: '1' });
    const repo = await repository(
      {
        'caller.yml': caller(
          call('gbm', {
            targets: 'linux/amd64 windows/amd64',
            'working-directory': 'broken',
            chunks: 2,
            'go-version': tc.release,
          }),
        ),
      },
      { broken: path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken') },
    );
    const jobs = 'gbm/go-build-matrix';
    const first = await runAct(tools, repo, 'caller.yml', { env: service.env });
    expect([first.exitCode === 0, first.logFile]).toEqual([false, first.logFile]);
    expect(jobResults(first)[`${jobs}/collect`]).toBe('failure');

    // Whatever failed the windows leg is gone in the second attempt.
    copyModule(path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken'), path.join(repo, 'broken'));
    writeFileSync(
      path.join(repo, 'broken', 'broken_windows.go'),
      'package main\n\nfunc message() string { return "fixed" }\n',
    );
    await execFileAsync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qam', 'fix'],
      {
        cwd: repo,
      },
    );
    const second = await runAct(tools, repo, 'caller.yml', {
      env: service.envFor('1', 'attempt-2', undefined, 2),
    });
    expect([second.exitCode, problems(second)]).toEqual([0, '']);
    expect(jobResults(second)[`${jobs}/collect`]).toBe('success');

    // Both attempts' artifacts are in the run under the same names, the second's with lower ids.
    const stored = service.artifacts();
    const byName = new Map<string, Record<number, number>>();
    for (const a of stored) byName.set(a.name, { ...byName.get(a.name), [a.attempt]: a.id });
    expect(byName.size).toBe(2);
    for (const ids of byName.values()) expect(ids[2]).toBeLessThan(ids[1] as number);
    // collect took the second attempt's windows binary, the one its leg built.
    const legs = stepOutputs(second, `${jobs}/build-`, 'build').flatMap(artifactsOf);
    const collected = outputsOf(second, `${jobs}/collect`, 'collect');
    expect(collected).toMatchObject({ built: '2', failed: '0' });
    const digests = (list: ArtifactOutput[]) => list.map((a) => `${a.target} ${a.status} ${a.sha256}`).sort();
    expect(digests(artifactsOf(collected))).toEqual(digests(legs));
  });
});
