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

/** Secrets the signing inputs take, passed by both reusable workflows to the action's build step. */
const SIGNING_SECRETS = [
  'windows-certificate',
  'windows-certificate-password',
  'macos-certificate',
  'macos-certificate-password',
  'macos-notary-key',
  'macos-notary-key-id',
  'macos-notary-issuer',
];

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
  id?: string;
  if?: string;
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

/** The version released (package.json), which the reusable workflows name exactly and the examples by major. */
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const EXACT = `v${VERSION}`;
const MAJOR = `v${VERSION.split('.')[0]}`;

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
          .filter((s) => s.uses?.startsWith('go-build-matrix/go-build-matrix@') === true || s.uses === './')
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
    expect(wf.jobs.collect?.permissions).toEqual({ contents: 'read', statuses: 'write', actions: 'write' });
    for (const job of Object.values(wf.jobs)) {
      const uses = (job.steps ?? []).flatMap((s) => (s.uses ? [s.uses.split('@')[0]] : []));
      expect(uses).toEqual(
        expect.arrayContaining(['actions/checkout', 'actions/setup-go', 'go-build-matrix/go-build-matrix']),
      );
      expect(uses).not.toContain('./');
    }
  });

  it('the caller example calls it and grants what collect needs', () => {
    const caller = readWorkflow('examples/workflows/reusable-caller.yml');
    const job = caller.jobs['go-build-matrix'];
    expect(job?.uses).toBe(`go-build-matrix/go-build-matrix/.github/workflows/go-build-matrix.yml@${MAJOR}`);
    expect(job?.permissions).toEqual({ contents: 'read', statuses: 'write', actions: 'write' });
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
      'verify-release',
    ]);
    const job = release.jobs.build;
    expect(job?.uses).toBe(`go-build-matrix/go-build-matrix/.github/workflows/go-build-matrix.yml@${EXACT}`);
    expect(job?.with).toEqual(
      Object.fromEntries(inputsOf(build).map((name) => [name, `\${{ inputs.${name} }}`])),
    );
  });

  it('has exactly one job that may write contents, after the build workflow (and so after collect)', () => {
    expect(Object.keys(release.jobs)).toEqual(['build', 'publish']);
    expect(release.jobs.build?.permissions).toEqual({
      contents: 'read',
      statuses: 'write',
      actions: 'write',
    });
    const publish = release.jobs.publish as Workflow['jobs'][string] & { needs?: unknown };
    expect(publish.needs).toBe('build');
    expect(publish.permissions).toEqual({ contents: 'write' });
    const step = (publish.steps ?? []).find((s) => s.uses === `go-build-matrix/go-build-matrix@${EXACT}`);
    expect(step?.with).toMatchObject({
      mode: 'collect',
      release: '${{ inputs.release }}',
      'verify-release': '${{ inputs.verify-release }}',
    });
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
    expect(reusable.jobs['go-build-matrix']?.permissions).toEqual({
      contents: 'write',
      statuses: 'write',
      actions: 'write',
    });
    expect(reusable.jobs.attest?.permissions).toEqual({ 'id-token': 'write', attestations: 'write' });
    const step = readWorkflow('examples/workflows/release.yml');
    expect(step.jobs.release?.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write',
    });
    const attest = (step.jobs.release?.steps ?? []).find(
      (s) => s.uses?.startsWith('actions/attest@') === true,
    );
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
    expect(Object.keys(jobs)).toEqual(['check', 'test', 'self-test', 'release', 'npm']);
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
    expect(jobs.release?.needs).toEqual(['check', 'test', 'self-test']);
    expect(jobs.npm?.needs).toBe('release');
  });

  it('creates the release with gh and moves the major tag, untrusted values only through env', () => {
    const release = runs('release').join('\n');
    expect(release).toContain('gh release create "$TAG" --verify-tag');
    expect(release).toContain('git tag -f "$MAJOR" "$GITHUB_SHA"');
    expect(release).toContain('git push -f origin "refs/tags/$MAJOR"');
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

// Issue 27: the reusable workflows as an organisation uses them.
describe('the reusable workflows as an organisation pins and calls them', () => {
  type AnyJob = Workflow['jobs'][string] & {
    secrets?: Record<string, string>;
    env?: Record<string, string>;
  };
  const reusable = ['.github/workflows/go-build-matrix.yml', '.github/workflows/go-build-matrix-release.yml'];
  const jobsOf = (file: string) => readWorkflow(file).jobs as Record<string, AnyJob>;
  const callOf = (file: string) =>
    readWorkflow(file).on.workflow_call as {
      inputs: Record<string, { default?: unknown }>;
      secrets?: Record<string, { description?: string; required?: boolean }>;
    };
  const usesLines = (file: string) =>
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line) => {
        const m = /^\s*(?:-\s+)?uses:\s+(\S+)(.*)$/.exec(line);
        return m ? [{ ref: m[1] ?? '', rest: (m[2] ?? '').trim() }] : [];
      });

  it('item 1: every reference names the version released, and the release checks it before tagging', async () => {
    for (const file of reusable) {
      const refs = readFileSync(path.join(ROOT, file), 'utf8').match(
        /go-build-matrix\/go-build-matrix[^\s@]*@[^\s'"#`]+/g,
      );
      expect([file, [...new Set((refs ?? []).map((r) => r.split('@')[1]))]]).toEqual([file, [EXACT]]);
    }
    for (const file of workflows.filter((f) => f.startsWith('examples/'))) {
      for (const { ref } of usesLines(file).filter((u) => u.ref.startsWith('go-build-matrix/')))
        expect([file, ref.split('@')[1]]).toEqual([file, MAJOR]);
    }
    const script = path.join(ROOT, 'scripts', 'workflow-version.mjs');
    expect(await run(process.execPath, [script])).toEqual({ code: 0, output: '' });
    // A copy that names another version is refused, each reference listed; --write mends it.
    const copy = mkdtempSync(path.join(os.tmpdir(), 'gbm-version-'));
    for (const dir of ['.github/workflows', 'examples/workflows'])
      mkdirSync(path.join(copy, dir), { recursive: true });
    for (const file of workflows) copyFileSync(path.join(ROOT, file), path.join(copy, file));
    writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ version: '1.4.0' }));
    const refused = await run(process.execPath, [script, '--root', copy]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      `.github/workflows/go-build-matrix.yml: go-build-matrix/go-build-matrix@${EXACT} (want @v1.4.0)`,
    );
    expect(refused.output).toContain('(want @v1)');
    expect((await run(process.execPath, [script, '--root', copy, '--write'])).code).toBe(0);
    expect(await run(process.execPath, [script, '--root', copy])).toEqual({ code: 0, output: '' });
    expect(readFileSync(path.join(copy, '.github/workflows/go-build-matrix-release.yml'), 'utf8')).toContain(
      'go-build-matrix/go-build-matrix/.github/workflows/go-build-matrix.yml@v1.4.0',
    );

    const release = readWorkflow('.github/workflows/release-action.yml').jobs as Record<
      string,
      AnyJob & { needs?: string[] }
    >;
    const check = (release.check?.steps ?? []).map((s) => s.run);
    expect(check).toContain('node scripts/workflow-version.mjs');
    // The self-test calls the workflow file itself, from the tag, before anything is released.
    expect(release['self-test']?.uses).toBe('./.github/workflows/go-build-matrix.yml');
    expect(release['self-test']?.permissions).toEqual({
      contents: 'read',
      statuses: 'write',
      actions: 'write',
    });
    expect(release.release?.needs).toContain('self-test');
  });

  it('item 5: the badge upload runs after a failed collect too (!cancelled(), not the implied success())', () => {
    const collect = jobsOf('.github/workflows/go-build-matrix.yml').collect?.steps ?? [];
    const after = collect.slice(collect.findIndex((s) => s.id === 'collect') + 1);
    expect(after.length).toBeGreaterThan(0);
    for (const step of after)
      expect([step.uses, step.if]).toEqual([step.uses, expect.stringContaining('!cancelled()')]);
  });

  it('item 6: the build inputs pass through, with the action’s defaults, and a secret for private modules', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const passed = [
      'env',
      'cc',
      'smoke-test',
      'build-timeout',
      'name-template',
      'retention-days',
      'cache',
      'cache-key-prefix',
    ];
    for (const file of reusable) {
      const { inputs, secrets } = callOf(file);
      for (const name of [...passed, 'go-version-file'])
        expect([file, name, name in inputs]).toEqual([file, name, true]);
      for (const name of passed)
        expect([name, String(inputs[name]?.default)]).toEqual([
          name,
          String(action.inputs[name]?.default ?? ''),
        ]);
      expect(secrets?.['go-private-token']?.required).toBe(false);
      expect(secrets?.['go-private-token']?.description).toMatch(/private modules/i);
    }
    const jobs = jobsOf('.github/workflows/go-build-matrix.yml');
    const build = jobs.build?.steps ?? [];
    const step = build.find((s) => s.id === 'build');
    for (const name of passed) expect([name, step?.with?.[name]]).toEqual([name, `\${{ inputs.${name} }}`]);
    for (const job of Object.values(jobs)) {
      const setupGo = (job.steps ?? []).find((s) => s.uses?.startsWith('actions/setup-go@'));
      expect(setupGo?.with?.['go-version-file']).toBe('${{ inputs.go-version-file }}');
    }
    // The token reaches one step's env, before the action's step, and nothing else names it.
    const text = readFileSync(path.join(ROOT, '.github/workflows/go-build-matrix.yml'), 'utf8');
    expect(text.match(/secrets\.go-private-token/g)).toHaveLength(1);
    const holder = build.findIndex((s) => s.env?.GO_PRIVATE_TOKEN === '${{ secrets.go-private-token }}');
    expect(holder).toBeGreaterThan(-1);
    expect(holder).toBeLessThan(build.findIndex((s) => s.id === 'build'));
    expect(build[holder]?.run).toContain('trap \'rm -rf "$dir"\' EXIT');
    // The signing secrets' values reach the action's step and nothing else (SIGN_WINDOWS only says one was given).
    for (const name of SIGNING_SECRETS) {
      expect([name, step?.with?.[name]]).toEqual([name, `\${{ secrets.${name} }}`]);
      expect([name, text.split(`\${{ secrets.${name} }}`).length - 1]).toEqual([name, 1]);
    }
    const release = jobsOf('.github/workflows/go-build-matrix-release.yml').build;
    expect(release?.secrets).toEqual(
      Object.fromEntries(
        ['go-private-token', ...SIGNING_SECRETS].map((name) => [name, `\${{ secrets.${name} }}`]),
      ),
    );
  });

  it('item 7: every third-party action is pinned by full SHA with its tag in a comment', () => {
    const all = workflows.flatMap((file) => usesLines(file).map((u) => ({ file, ...u })));
    const thirdParty = all.filter((u) => !u.ref.startsWith('./') && !u.ref.startsWith('go-build-matrix/'));
    expect(thirdParty.length).toBeGreaterThan(20);
    for (const u of thirdParty)
      expect([u.file, u.ref, u.rest]).toEqual([
        u.file,
        expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/),
        expect.stringMatching(/^# v\d+\.\d+\.\d+$/),
      ]);
    // One SHA per action and tag everywhere.
    const byAction = new Map<string, Set<string>>();
    for (const u of thirdParty)
      byAction.set(
        u.ref.split('@')[0] ?? '',
        (byAction.get(u.ref.split('@')[0] ?? '') ?? new Set()).add(`${u.ref} ${u.rest}`),
      );
    for (const [action, pins] of byAction) expect([action, pins.size]).toEqual([action, 1]);
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/### What pinning the workflow pins/);
  });

  it('item 8: least privilege in the examples and the publishing jobs, and the token that moves the major tag', () => {
    for (const file of ['examples/workflows/reusable-caller.yml', 'examples/workflows/release-reusable.yml'])
      expect([file, (readWorkflow(file) as Workflow & { permissions?: unknown }).permissions]).toEqual([
        file,
        {},
      ]);
    const publishing: [string, string][] = [
      ['.github/workflows/go-build-matrix-release.yml', 'publish'],
      ['.github/workflows/release-action.yml', 'release'],
      ['.github/workflows/release-action.yml', 'npm'],
    ];
    for (const [file, name] of publishing) {
      const checkouts = (jobsOf(file)[name]?.steps ?? []).filter((s) =>
        s.uses?.startsWith('actions/checkout@'),
      );
      expect(checkouts.length).toBe(1);
      for (const c of checkouts)
        expect([file, name, c.with?.['persist-credentials']]).toEqual([file, name, false]);
    }
    const publish = jobsOf('.github/workflows/go-build-matrix-release.yml').publish;
    expect(publish?.concurrency?.group).toContain('${{ github.ref }}');
    const move = (jobsOf('.github/workflows/release-action.yml').release?.steps ?? []).find((s) =>
      s.run?.includes('git push'),
    );
    expect(move?.env?.TAG_TOKEN).toBe('${{ secrets.RELEASE_TAG_TOKEN }}');
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/RELEASE_TAG_TOKEN[^\n]*\n?[^\n]*[Ww]orkflows/);
  });

  it('item 9: the legs only read and save; collect, granted actions: write, cleans up for them', () => {
    const jobs = jobsOf('.github/workflows/go-build-matrix.yml');
    expect(jobs.build?.permissions).toEqual({ contents: 'read' });
    expect((jobs.build?.steps ?? []).find((s) => s.id === 'build')?.with?.['cache-cleanup']).toBe('false');
    expect(jobs.collect?.permissions?.actions).toBe('write');
    const collect = (jobs.collect?.steps ?? []).find((s) => s.id === 'collect');
    expect(collect?.with?.['cache-cleanup']).toBeUndefined(); // the action's default, auto
    expect(collect?.with?.['github-token']).toBe('${{ github.token }}');
    // The release's publish job collects again, without actions: write: it leaves cleanup to collect.
    const publish = jobsOf('.github/workflows/go-build-matrix-release.yml').publish;
    const step = (publish?.steps ?? []).find((s) => s.id === 'release');
    expect(step?.with?.['cache-cleanup']).toBe('false');
    expect(publish?.permissions?.actions).toBeUndefined();
  });

  it('item 10: only the highest release moves the major tag and npm’s latest', async () => {
    const script = path.join(ROOT, 'scripts', 'release-channels.mjs');
    const channels = async (tag: string, tags: string[]) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-tags-'));
      writeFileSync(path.join(dir, 'tags'), tags.join('\n'));
      const r = await execFileAsync('sh', [
        '-c',
        `"$0" "$1" "$2" < "$3"`,
        process.execPath,
        script,
        tag,
        path.join(dir, 'tags'),
      ]);
      return r.stdout;
    };
    const tags = ['v1', 'v1.2.4', 'v1.3.0', 'v1.3.1-rc.1', 'v2.0.0-rc.1'];
    expect(await channels('v1.3.0', tags)).toBe('major=v1\ndist-tag=latest\n');
    expect(await channels('v1.3.1', [...tags, 'v1.3.1'])).toBe('major=v1\ndist-tag=latest\n');
    // A backport after v1.3.0, and a re-run of v1.3.0 after v1.3.1: neither moves anything back.
    expect(await channels('v1.2.5', [...tags, 'v1.2.5'])).toBe('major=\ndist-tag=latest-1\n');
    expect(await channels('v1.3.0', [...tags, 'v1.3.1'])).toBe('major=\ndist-tag=latest-1\n');
    // The highest of an older line moves its own major tag, not npm's latest.
    expect(await channels('v1.3.2', [...tags, 'v2.0.0'])).toBe('major=v1\ndist-tag=latest-1\n');
    expect(await channels('v2.1.0-rc.1', [...tags, 'v2.0.0'])).toBe('major=\ndist-tag=next\n');

    const jobs = jobsOf('.github/workflows/release-action.yml');
    const steps = jobs.release?.steps ?? [];
    const decide = steps.find((s) => s.id === 'channels');
    expect(decide?.run).toContain('node scripts/release-channels.mjs "$TAG"');
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    const move = steps.find((s) => s.run?.includes('git push'));
    expect(move?.env?.MAJOR).toBe('${{ steps.channels.outputs.major }}');
    const npm = (jobs.npm?.steps ?? []).find((s) => s.run?.includes('npm publish'));
    expect(npm?.env?.DIST_TAG).toBe('${{ needs.release.outputs.dist-tag }}');
    expect(npm?.run).toContain('--tag "$DIST_TAG"');
  });
});
