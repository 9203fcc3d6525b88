// The repository's declared surface agrees with the code: action.yml, package.json, the CLI.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { INPUTS } from '../src/options/inputs.js';
import { TOOL } from '../src/version.js';
import { REPO_ROOT } from './support/toolchains.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('action.yml', () => {
  const action = parse(read('action.yml')) as {
    inputs: Record<string, { description: string; default: string; required: boolean }>;
    outputs: Record<string, { description: string }>;
    runs: { using: string; main: string };
    branding: { icon: string; color: string };
  };

  it('runs the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(action.branding.icon).toBeTruthy();
  });

  it('declares exactly the inputs the action reads, with their defaults and descriptions', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUTS.map((i) => i.name));
    for (const input of INPUTS) {
      expect([input.name, action.inputs[input.name]]).toEqual([
        input.name,
        { description: input.description, default: input.default, required: false },
      ]);
    }
  });

  it('declares every output of PRODUCT.md, and the release hand-off', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([
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
    for (const output of Object.values(action.outputs)) expect(output.description.length).toBeGreaterThan(10);
  });
});

describe('README.md', () => {
  const readme = read('README.md');
  it('has the two quick-start commands and a row for every input', () => {
    expect(readme).toMatch(/^npm start\s+#/m);
    expect(readme).toMatch(/^npm test\s+#/m);
    for (const input of INPUTS) {
      const row = new RegExp(`^\\| \`${input.name}\` +\\|`, 'm');
      expect([input.name, row.test(readme)]).toEqual([input.name, true]);
    }
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(read('package.json')) as {
    version: string;
    name: string;
    bin: Record<string, string>;
  };
  it('has the version the manifest records', () => {
    expect(TOOL).toEqual({ name: pkg.name, version: pkg.version });
  });
  it('installs the bundled CLI as go-build-matrix', () => {
    expect(pkg.bin).toEqual({ 'go-build-matrix': 'dist/cli.js' });
  });
});

describe('src/', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? sources(path.join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [path.join(dir, e.name)]
          : [],
    );
  const files = sources(path.join(REPO_ROOT, 'src')).map((file) => ({
    file: path.relative(REPO_ROOT, file),
    text: readFileSync(file, 'utf8'),
  }));

  it('starts processes in one place only, from argv arrays', () => {
    const importers = files.filter((f) =>
      /from 'node:child_process'|require\(['"](node:)?child_process/.test(f.text),
    );
    expect(importers.map((f) => f.file)).toEqual(['src/exec.ts']);
  });

  it('never uses a shell, exec, execSync or spawnSync', () => {
    const forbidden =
      /\bexecSync\b|\bexecFileSync\b|\bspawnSync\b|child_process\.exec\b|\bshell:\s*true|import\s*\{[^}]*\bexec\b[^}]*\}\s*from\s*'node:child_process'/;
    expect(files.filter((f) => forbidden.test(f.text)).map((f) => f.file)).toEqual([]);
    expect(files.find((f) => f.file === 'src/exec.ts')?.text).toContain('shell: false');
  });

  it('builds no command line from a string: every run() gets an argv array, no shell is named', () => {
    const calls = files
      .filter((f) => f.file !== 'src/exec.ts') // where run() is defined
      .flatMap((f) =>
        [...f.text.matchAll(/(?<![.\w])run\(([^,]+),/g)].map((m) => ({
          file: f.file,
          first: (m[1] ?? '').trim(),
        })),
      );
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const call of calls) {
      // An array literal, or an argv array built as one (`argv`, `job.argv`, `relinkArgv`).
      expect(`${call.file}: ${call.first}`).toMatch(/: (\[|(\w*A|a)rgv$|job\.argv$)/);
    }
    const shells =
      /['"`](sh|bash|zsh|cmd|cmd\.exe|powershell|pwsh)['"`]|['"`]-c['"`]|\.split\(['"` ]+\)\s*;?\s*\n?\s*.*run\(/;
    expect(files.filter((f) => shells.test(f.text)).map((f) => f.file)).toEqual([]);
  });
});
