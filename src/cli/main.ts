import { parseArgs } from 'node:util';
import { buildMatrix, planMatrix } from '../engine.js';
import { InputError } from '../options/errors.js';
import { INPUTS } from '../options/inputs.js';
import { parseOptions } from '../options/options.js';
import { isFailure } from '../report/manifest.js';
import { publishReports } from '../report/publish.js';
import { releaseLine, renderTable } from '../report/summary.js';
import { handOff } from '../release/step.js';
import { TOOL } from '../version.js';
import { TerminalLogger } from './logger.js';
import { joinOptionValues } from './args.js';
import { runVerify } from './verify.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const defaultIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
});

/** Inputs the CLI takes as flags: everything but what only makes sense inside Actions. */
const CLI_INPUTS = INPUTS.filter((i) => !['mode', 'github-token', 'status', 'summary'].includes(i.name));
const BOOLEAN_INPUTS = new Set(
  CLI_INPUTS.filter((i) => i.default === 'true' || i.default === 'false').map((i) => i.name),
);
const VALUE_INPUTS = new Set(CLI_INPUTS.map((i) => i.name).filter((name) => !BOOLEAN_INPUTS.has(name)));

export function usage(): string {
  const flags = CLI_INPUTS.map(
    (i) => `  --${i.name.padEnd(18)} ${i.description}${i.default ? ` (default: ${i.default})` : ''}`,
  );
  return [
    `${TOOL.name} ${TOOL.version}: build a Go program for a whole GOOS/GOARCH matrix, every target pinned.`,
    '',
    'Usage:',
    `  ${TOOL.name} build [flags]     build every target and write the manifest`,
    `  ${TOOL.name} plan [flags]      print the matrix JSON (with --chunks N)`,
    `  ${TOOL.name} verify --target GOOS/GOARCH[/VARIANT] [--cgo-enabled 0|1] [--linkage static|dynamic|any] [--max-glibc 2.17] [--min-macos 12] [--min-windows 10] FILE`,
    '                              print the verdict for any file as JSON (exit 0 match, 1 mismatch, 2 usage)',
    '',
    'Flags (named like the action inputs):',
    ...flags,
    '  --verbose            show go commands and per-target output',
    '',
    'Exit status: 0 all targets built, 1 a target failed, 2 usage error.',
    '',
  ].join('\n');
}

export interface CliFlags {
  /** Input name → the value as typed. */
  readonly inputs: Record<string, string>;
  readonly verbose: boolean;
  readonly help: boolean;
}

/** The flags of `build` and `plan`; throws parseArgs' error for an unknown or incomplete one. */
export function readFlags(args: readonly string[]): CliFlags {
  const { values } = parseArgs({
    args: joinOptionValues(args, VALUE_INPUTS, BOOLEAN_INPUTS),
    options: {
      ...Object.fromEntries(CLI_INPUTS.map((i) => [i.name, { type: 'string' as const }])),
      verbose: { type: 'boolean' as const },
      help: { type: 'boolean' as const, short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  const inputs: Record<string, string> = {};
  for (const input of CLI_INPUTS) {
    const value = (values as Record<string, unknown>)[input.name];
    if (typeof value === 'string') inputs[input.name] = value;
  }
  return { inputs, verbose: values.verbose === true, help: values.help === true };
}

export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(usage());
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version') {
    io.stdout(`${TOOL.version}\n`);
    return EXIT_OK;
  }
  if (command === 'verify') return runVerify(rest, io);
  if (command !== 'build' && command !== 'plan') {
    io.stderr(`error: unknown command '${command}'; use 'build', 'plan' or 'verify' (see --help)\n`);
    return EXIT_USAGE;
  }
  let flags: CliFlags;
  try {
    flags = readFlags(rest);
  } catch (err) {
    io.stderr(`error: ${(err as Error).message} (see --help)\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  const log = new TerminalLogger(flags.verbose, io.stderr);
  try {
    const options = parseOptions({ mode: command, ...flags.inputs }, io.cwd);
    const ctx = { baseDir: io.cwd, env: io.env, log };
    if (options.mode === 'plan') {
      const plan = await planMatrix(options, ctx);
      io.stdout(`${JSON.stringify(plan.matrix, null, 2)}\n`);
      return EXIT_OK;
    }
    const result = await buildMatrix(options, ctx);
    await publishReports(result.manifest, { ...options, status: false }, io.env, log);
    io.stdout(`${renderTable(result.manifest)}\nmanifest: ${result.manifestPath}\n`);
    const targetsFailed =
      result.uploadError !== null || result.manifest.artifacts.some((a) => isFailure(a.status));
    // Outside Actions the token comes from the environment, as gh and GoReleaser take it.
    const token = options.githubToken || io.env.GITHUB_TOKEN || io.env.GH_TOKEN || '';
    try {
      const handed = await handOff({
        manifest: result.manifest,
        options: { ...options, githubToken: token },
        baseDir: io.cwd,
        env: io.env,
        log,
        missing: [],
      });
      io.stdout(`attestation subjects: ${handed.subjects}\n`);
      if (handed.release !== null && handed.release.state !== 'skipped') {
        io.stdout(`${releaseLine(handed.release)}\n`);
      }
    } catch (err) {
      io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_FAILED;
    }
    return targetsFailed ? EXIT_FAILED : EXIT_OK;
  } catch (err) {
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof InputError ? EXIT_USAGE : EXIT_FAILED;
  }
}
