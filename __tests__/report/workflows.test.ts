// Every workflow we ship passes actionlint (pinned, built from the Go module proxy), and
// action.yml passes action-validator's schema check. action-validator no longer checks the
// workflows: its bundled schema predates the `attestations` permission and rejects workflows
// GitHub runs (examples/workflows/release.yml asks for `attestations: write`).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { goTool } from '../support/tools.js';
import { toolchain } from '../support/toolchains.js';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VALIDATOR = path.join(ROOT, 'node_modules', '.bin', 'action-validator');
const ACTIONLINT = { pkg: 'github.com/rhysd/actionlint/cmd/actionlint', version: 'v1.7.12' };

const workflows = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${dir}/${f}`),
);

async function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const r = await execFileAsync(command, args, { cwd: ROOT });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, string>;
}

interface Concurrency {
  group: string;
  'cancel-in-progress'?: boolean;
}

interface Workflow {
  on: Record<string, unknown>;
  concurrency?: Concurrency;
  jobs: Record<
    string,
    {
      uses?: string;
      with?: Record<string, unknown>;
      permissions?: Record<string, string>;
      steps?: Step[];
      concurrency?: Concurrency;
    }
  >;
}

const readWorkflow = (file: string): Workflow =>
  parse(readFileSync(path.join(ROOT, file), 'utf8')) as Workflow;

describe('workflow files', () => {
  let actionlint = '';
  beforeAll(async () => {
    actionlint = await goTool(toolchain('1.26'), ACTIONLINT.pkg, ACTIONLINT.version);
  });

  it('finds the reusable workflows and the examples', () => {
    expect(workflows).toEqual(
      expect.arrayContaining([
        '.github/workflows/go-build-matrix.yml',
        '.github/workflows/go-build-matrix-release.yml',
        '.github/workflows/release-action.yml',
        'examples/workflows/step.yml',
        'examples/workflows/release.yml',
        'examples/workflows/release-reusable.yml',
        'examples/workflows/reusable-caller.yml',
      ]),
    );
  });

  it('actionlint reports nothing on any of them', async () => {
    const r = await run(actionlint, ['-no-color', ...workflows]);
    expect([r.code, r.output]).toEqual([0, '']);
  });

  it('actionlint does reject a broken workflow (so a pass means something)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-wf-'));
    const file = path.join(dir, 'broken.yml');
    writeFileSync(
      file,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      attestations: wrte\n    steps:\n      - run: echo ${{ inputs.nothing }}\n',
    );
    const r = await run(actionlint, ['-no-color', file]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/wrte/);
  });

  it('actionlint runs shellcheck over run: scripts (installed by .ci/install-system-deps)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-wf-'));
    const file = path.join(dir, 'unquoted.yml');
    writeFileSync(
      file,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cd $HOME/x\n',
    );
    const r = await run(actionlint, ['-no-color', file]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/SC2086/);
  });

  it('every step that uses the action passes only inputs action.yml declares', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const passed = workflows.flatMap((file) =>
      Object.values(readWorkflow(file).jobs).flatMap((job) =>
        (job.steps ?? [])
          .filter((s) => s.uses === 'go-build-matrix/go-build-matrix@v1' || s.uses === './')
          .flatMap((s) => Object.keys(s.with ?? {}).map((input) => `${file}: ${input}`)),
      ),
    );
    expect(passed.length).toBeGreaterThan(20);
    const unknown = passed.filter((p) => !((p.split(': ')[1] ?? '') in action.inputs));
    expect(unknown).toEqual([]);
  });

  // action-validator's bundled schema predates `runs.using: node24` and rejects it, so
  // action.yml is checked as a copy that says node20; everything else in it is validated as is.
  it('action.yml passes action-validator (with node24 read as node20)', async () => {
    const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    expect(text).toMatch(/^\s+using: node24$/m);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-action-'));
    writeFileSync(path.join(dir, 'action.yml'), text.replace(/^(\s+using:) node24$/m, '$1 node20'));
    const r = await run(VALIDATOR, [path.join(dir, 'action.yml')]);
    expect([r.code, r.output]).toEqual([0, '']);
  });

  it('action-validator does reject a broken action.yml', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-action-'));
    writeFileSync(path.join(dir, 'action.yml'), 'name: x\ndescription: y\nruns:\n  usin: node20\n');
    expect((await run(VALIDATOR, [path.join(dir, 'action.yml')])).code).not.toBe(0);
  });
});

describe('the reusable workflow', () => {
  const wf = readWorkflow('.github/workflows/go-build-matrix.yml');
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
  };
  const inputs = Object.keys((wf.on.workflow_call as { inputs: Record<string, unknown> }).inputs);

  it('mirrors the action’s main inputs, plus runs-on and runner-map', () => {
    const main = [
      'targets',
      'exclude',
      'package',
      'working-directory',
      'name',
      'cgo-enabled',
      'ldflags',
      'version',
      'tags',
      'flags',
      'archive',
      'checksums',
      'universal',
      'extra-files',
      'chunks',
      'badge',
      'status',
      'verify',
      'linkage',
      'max-glibc',
      'min-macos',
      'min-windows',
      'sbom',
    ];
    expect(inputs).toEqual(expect.arrayContaining([...main, 'go-version', 'runs-on', 'runner-map']));
    for (const name of main) expect([name, name in action.inputs]).toEqual([name, true]);
  });

  it('plans, builds over the plan’s matrix and collects, each job with the least permissions', () => {
    expect(Object.keys(wf.jobs)).toEqual(['plan', 'build', 'collect']);
    expect(wf.jobs.plan?.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs.build?.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs.collect?.permissions).toEqual({ contents: 'read', statuses: 'write' });
    for (const job of Object.values(wf.jobs)) {
      const uses = (job.steps ?? []).map((s) => s.uses).filter(Boolean);
      expect(uses).toEqual(
        expect.arrayContaining([
          'actions/checkout@v4',
          'actions/setup-go@v5',
          'go-build-matrix/go-build-matrix@v1',
        ]),
      );
      expect(uses).not.toContain('./');
    }
  });

  it('the caller example calls it and grants what collect needs', () => {
    const caller = readWorkflow('examples/workflows/reusable-caller.yml');
    const job = caller.jobs['go-build-matrix'];
    expect(job?.uses).toBe('go-build-matrix/go-build-matrix/.github/workflows/go-build-matrix.yml@v1');
    expect(job?.permissions).toEqual({ contents: 'read', statuses: 'write' });
  });
});

describe('the release workflow', () => {
  const release = readWorkflow('.github/workflows/go-build-matrix-release.yml');
  const build = readWorkflow('.github/workflows/go-build-matrix.yml');
  const inputsOf = (wf: Workflow) =>
    Object.keys((wf.on.workflow_call as { inputs: Record<string, unknown> }).inputs);

  it('takes every input of the build workflow, passes each one on, and adds the release inputs', () => {
    expect(inputsOf(release)).toEqual([
      ...inputsOf(build),
      'release',
      'release-notes',
      'prerelease',
      'make-latest',
    ]);
    const job = release.jobs.build;
    expect(job?.uses).toBe('go-build-matrix/go-build-matrix/.github/workflows/go-build-matrix.yml@v1');
    expect(job?.with).toEqual(
      Object.fromEntries(inputsOf(build).map((name) => [name, `\${{ inputs.${name} }}`])),
    );
  });

  it('has exactly one job that may write contents, after the build workflow (and so after collect)', () => {
    expect(Object.keys(release.jobs)).toEqual(['build', 'publish']);
    expect(release.jobs.build?.permissions).toEqual({ contents: 'read', statuses: 'write' });
    const publish = release.jobs.publish as Workflow['jobs'][string] & { needs?: unknown };
    expect(publish.needs).toBe('build');
    expect(publish.permissions).toEqual({ contents: 'write' });
    const step = (publish.steps ?? []).find((s) => s.uses === 'go-build-matrix/go-build-matrix@v1');
    expect(step?.with).toMatchObject({ mode: 'collect', release: '${{ inputs.release }}' });
    // The plain build workflow never writes contents: its callers grant only what it declares.
    for (const job of Object.values(build.jobs)) expect(job.permissions?.contents).toBe('read');
  });

  it('every workflow that publishes a release runs one at a time per tag, queued rather than cancelled', () => {
    const publishing = workflows.filter((file) =>
      Object.values(readWorkflow(file).jobs).some(
        (job) =>
          job.uses?.includes('go-build-matrix-release.yml') === true ||
          (job.steps ?? []).some((s) => s.with?.release !== undefined && s.with.release !== 'false'),
      ),
    );
    expect(publishing.sort()).toEqual(
      [
        '.github/workflows/go-build-matrix-release.yml',
        'examples/workflows/release-reusable.yml',
        'examples/workflows/release.yml',
      ].sort(),
    );
    const groups = publishing.map((file) => {
      const wf = readWorkflow(file);
      const job = Object.values(wf.jobs).find((j) =>
        (j.steps ?? []).some((s) => s.with?.release !== undefined),
      );
      const concurrency = wf.concurrency ?? job?.concurrency;
      expect([file, concurrency?.['cancel-in-progress']]).toEqual([file, false]);
      expect([file, concurrency?.group]).toEqual([file, expect.stringContaining('${{ github.ref }}')]);
      return concurrency?.group;
    });
    // A reusable workflow's job group equal to its caller's workflow group deadlocks.
    expect(new Set(groups).size).toBeGreaterThanOrEqual(2);
    const publish = readWorkflow('.github/workflows/go-build-matrix-release.yml').jobs.publish;
    const checkout = (publish?.steps ?? []).find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toEqual({ 'persist-credentials': false });
  });

  it('the examples grant what the jobs they call declare, and attest with the permissions attest needs', () => {
    const reusable = readWorkflow('examples/workflows/release-reusable.yml');
    expect(reusable.jobs['go-build-matrix']?.permissions).toEqual({ contents: 'write', statuses: 'write' });
    expect(reusable.jobs.attest?.permissions).toEqual({ 'id-token': 'write', attestations: 'write' });
    const step = readWorkflow('examples/workflows/release.yml');
    expect(step.jobs.release?.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write',
    });
    const attest = (step.jobs.release?.steps ?? []).find((s) => s.uses === 'actions/attest@v4');
    expect(attest?.with).toEqual({ 'subject-checksums': '${{ steps.build.outputs.attestation-subjects }}' });
  });
});

describe("the action's own release workflow", () => {
  const wf = readWorkflow('.github/workflows/release-action.yml') as Workflow & {
    permissions?: Record<string, string>;
  };
  const jobs = wf.jobs as Record<string, Workflow['jobs'][string] & { needs?: string | string[] }>;
  const runs = (job: string): string[] => (jobs[job]?.steps ?? []).flatMap((s) => (s.run ? [s.run] : []));

  it('runs on version tags, reads by default and lets only the release job write contents', () => {
    expect(wf.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(jobs)).toEqual(['check', 'test', 'release', 'npm']);
    for (const [name, job] of Object.entries(jobs)) {
      expect([name, job.permissions?.contents]).toEqual([name, name === 'release' ? 'write' : 'read']);
    }
    expect(jobs.release?.permissions).toEqual({ contents: 'write' });
    expect(jobs.npm?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('checks the tag against package.json, dist/ and the suite before it releases', () => {
    const check = runs('check');
    expect(check.join('\n')).toMatch(/"\$TAG" != "v\$version"/);
    expect(check).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run check-dist']));
    expect(runs('test')).toEqual(['bash .ci/run']);
    expect(jobs.release?.needs).toEqual(['check', 'test']);
    expect(jobs.npm?.needs).toBe('release');
  });

  it('creates the release with gh and moves the major tag, untrusted values only through env', () => {
    const release = runs('release').join('\n');
    expect(release).toContain('gh release create "$TAG" --verify-tag');
    expect(release).toContain('git tag -f "$major" "$GITHUB_SHA"');
    expect(release).toContain('git push -f origin "refs/tags/$major"');
    expect(runs('npm').join('\n')).toContain('npm publish --provenance');
    // A tag name is chosen by whoever pushes it: no run script may expand an expression itself.
    for (const job of Object.keys(jobs)) for (const script of runs(job)) expect(script).not.toContain('${{');
    const steps = (jobs.release?.steps ?? []).filter((s) => s.run);
    for (const step of steps) expect(step.env?.TAG).toBe('${{ github.ref_name }}');
  });

  it("takes a release's notes from its CHANGELOG.md section and refuses a version without one", async () => {
    const notes = path.join(ROOT, 'scripts', 'release-notes.mjs');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-notes-'));
    mkdirSync(path.join(dir, 'scripts'));
    copyFileSync(notes, path.join(dir, 'scripts', 'release-notes.mjs'));
    writeFileSync(
      path.join(dir, 'CHANGELOG.md'),
      [
        '# Changelog',
        '',
        '## [Unreleased]',
        '',
        '- later',
        '',
        '## [1.2.0] - 2026-05-01',
        '',
        '### Fixed',
        '',
        '- one',
        '',
        '## [1.1.0] - 2026-04-01',
        '',
        '- older',
        '',
        '## [1.0.0] - 2026-03-01',
        '',
        '[1.2.0]: https://example.com/1.2.0',
        '',
      ].join('\n'),
    );
    const script = path.join(dir, 'scripts', 'release-notes.mjs');
    const ok = await run(process.execPath, [script, '1.2.0']);
    expect(ok).toEqual({ code: 0, output: '### Fixed\n\n- one\n' });
    expect((await run(process.execPath, [script, '1.1.0'])).output).toBe('- older\n');
    const empty = await run(process.execPath, [script, '1.0.0']);
    expect(empty.code).toBe(1);
    const missing = await run(process.execPath, [script, '9.9.9']);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain("no '## [9.9.9] - <date>' section");
    expect((await run(process.execPath, [script, 'v1.2.0'])).code).toBe(2);
  });
});
