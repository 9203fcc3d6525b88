// The macOS signer: tools/macos-sign (a small main around goreleaser's quill, pinned by its go.mod
// and go.sum), shipped as source with the action and the npm package and built with the job's Go
// into the tool cache. Each call is one argv array; the secrets reach it as files only.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFailure, run } from '../exec.js';
import { goSourceTool } from '../tools/go-tool.js';

export const TOOL_NAME = 'macos-sign';
/** What the record names as the signer: the wrapper and the quill it pins. */
export const QUILL = 'quill v0.0.0-20260630015114-8310f3e9a321 (goreleaser fork)';

export interface MacosTool {
  readonly path: string;
  readonly env: Record<string, string>;
}

/** The certificate that signs, as the tool read it from the PKCS#12. */
export interface MacosSignerFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  /** The leaf's OU: the team identifier the code signature carries. */
  readonly team: string;
  /** RFC 3339; absent when not timestamped. */
  readonly timestamp?: string;
}

/** One call's answer: `problem` names what failed. */
export interface ToolAnswer {
  readonly problem?: 'usage' | 'password' | 'certificate' | 'sign' | 'notarize';
  readonly message?: string;
  readonly signer?: MacosSignerFacts;
  readonly status?: string;
}

/** tools/macos-sign beside dist/ (the action's checkout, the npm package) or src/ (this repository). */
export function sourceDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'tools', TOOL_NAME);
    if (existsSync(path.join(candidate, 'go.mod'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error(
        `tools/${TOOL_NAME} (the macOS signer's source) is missing from this installation of go-build-matrix`,
      );
    dir = up;
  }
}

export interface BuildRequest {
  readonly go: string;
  readonly goVersion: string;
  readonly hostGoos: string;
  readonly hostGoarch: string;
  readonly env: Record<string, string>;
}

/** The tool, from the cache or built now; a build that fails says so in Go's words. */
export async function macosTool(req: BuildRequest): Promise<{ tool: MacosTool; built: boolean }> {
  const { file, built } = await goSourceTool({
    tool: { dir: sourceDir(), name: TOOL_NAME },
    go: req.go,
    goVersion: req.goVersion,
    hostGoos: req.hostGoos,
    hostGoarch: req.hostGoarch,
    env: req.env,
  });
  return { tool: { path: file, env: req.env }, built };
}

/** Runs one command of the tool; its one line of JSON, or an Error when it printed none. */
export async function callTool(
  tool: MacosTool,
  args: readonly string[],
  timeoutMs: number,
): Promise<ToolAnswer> {
  const result = await run([tool.path, ...args], { cwd: process.cwd(), env: tool.env, timeoutMs });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    const answer = JSON.parse(line) as ToolAnswer;
    if (typeof answer === 'object' && answer !== null) return answer;
  } catch {
    // reported below
  }
  const said = result.stderr.trim().split('\n').slice(-3).join(' ').trim();
  throw new Error(`${describeFailure(`${TOOL_NAME} ${args[0] ?? ''}`, result)}${said ? `: ${said}` : ''}`);
}
