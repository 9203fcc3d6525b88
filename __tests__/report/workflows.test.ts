// Every workflow we ship parses as YAML and passes action-validator's schema check.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VALIDATOR = path.join(ROOT, 'node_modules', '.bin', 'action-validator');

const workflows = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${dir}/${f}`),
);

async function validate(file: string): Promise<{ code: number; output: string }> {
  try {
    const r = await execFileAsync(VALIDATOR, [file], { cwd: ROOT });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { uses?: string; permissions?: Record<string, string>; steps?: { uses?: string }[] }>;
}

describe('workflow files', () => {
  it('finds the reusable workflow and the examples', () => {
    expect(workflows).toEqual(
      expect.arrayContaining([
        '.github/workflows/go-build-matrix.yml',
        'examples/workflows/step.yml',
        'examples/workflows/release.yml',
        'examples/workflows/reusable-caller.yml',
      ]),
    );
  });

  it.each(workflows)('%s parses and passes action-validator', async (file) => {
    expect(() => parse(readFileSync(path.join(ROOT, file), 'utf8')) as unknown).not.toThrow();
    const r = await validate(file);
    expect([file, r.code, r.output]).toEqual([file, 0, '']);
  });

  it('the validator does reject a broken workflow (so a pass means something)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-wf-'));
    const file = path.join(dir, 'broken.yml');
    writeFileSync(file, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    expect((await validate(file)).code).not.toBe(0);
  });

  // action-validator's bundled schema predates `runs.using: node24` and rejects it, so
  // action.yml is checked as a copy that says node20; everything else in it is validated as is.
  it('action.yml passes action-validator (with node24 read as node20)', async () => {
    const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    expect(text).toMatch(/^\s+using: node24$/m);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-action-'));
    writeFileSync(path.join(dir, 'action.yml'), text.replace(/^(\s+using:) node24$/m, '$1 node20'));
    const r = await validate(path.join(dir, 'action.yml'));
    expect([r.code, r.output]).toEqual([0, '']);
  });
});

describe('the reusable workflow', () => {
  const wf = parse(
    readFileSync(path.join(ROOT, '.github/workflows/go-build-matrix.yml'), 'utf8'),
  ) as Workflow;
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
    const caller = parse(
      readFileSync(path.join(ROOT, 'examples/workflows/reusable-caller.yml'), 'utf8'),
    ) as Workflow;
    const job = caller.jobs['go-build-matrix'];
    expect(job?.uses).toBe('go-build-matrix/go-build-matrix/.github/workflows/go-build-matrix.yml@v1');
    expect(job?.permissions).toEqual({ contents: 'read', statuses: 'write' });
  });
});
