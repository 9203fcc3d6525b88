import { appendFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildMatrix, planMatrix } from '../engine.js';
import { InputError } from '../options/errors.js';
import { INPUTS } from '../options/inputs.js';
import { parseOptions } from '../options/options.js';
import type { Manifest } from '../report/manifest.js';
import { isFailure } from '../report/manifest.js';
import { publishReports } from '../report/publish.js';
import { releaseLine, renderSummary, renderTable } from '../report/summary.js';
import { releaseEnvironmentLacks } from '../release/tag.js';
import { handOff } from '../release/step.js';
import { TOOL } from '../version.js';
import { TerminalLogger } from './logger.js';
import { joinOptionValues } from './args.js';
import { COMMANDS, commandUsage, FLAG_INPUTS, isCommand, usage } from './usage.js';
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

const BOOLEAN_INPUTS = new Set(FLAG_INPUTS.filter((i) => i.boolean).map((i) => i.name));
const BARE_TRUE_INPUTS = new Set(FLAG_INPUTS.filter((i) => i.bareTrue).map((i) => i.name));
const VALUE_INPUTS = new Set(FLAG_INPUTS.filter((i) => !i.boolean).map((i) => i.name));

export interface CliFlags {
  /** Input name → the value as typed; a repeated list flag's values joined with its separator. */
  readonly inputs: Record<string, string>;
  readonly verbose: boolean;
  readonly help: boolean;
}

/** A command line that asks for something the CLI does not do; exit status 2. */
class UsageError extends Error {}

/**
 * The flags of `build` and `plan`. Throws a UsageError for a scalar flag given twice or an
 * input that is no flag, and parseArgs' error for an unknown or incomplete one.
 */
export function readFlags(args: readonly string[]): CliFlags {
  const joined = joinOptionValues(args, VALUE_INPUTS, BOOLEAN_INPUTS, BARE_TRUE_INPUTS);
  for (const input of INPUTS.filter((i) => i.cli !== undefined)) {
    if (joined.some((arg) => arg === `--${input.name}` || arg.startsWith(`--${input.name}=`)))
      throw new UsageError(`--${input.name} is not a flag: ${input.name} is ${input.cli}`);
  }
  const { values } = parseArgs({
    args: joined,
    options: {
      ...Object.fromEntries(FLAG_INPUTS.map((i) => [i.name, { type: 'string' as const, multiple: true }])),
      verbose: { type: 'boolean' as const },
      help: { type: 'boolean' as const, short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  const inputs: Record<string, string> = {};
  for (const input of FLAG_INPUTS) {
    const given = (values as Record<string, string[] | undefined>)[input.name];
    if (given === undefined) continue;
    if (given.length > 1 && input.separator === undefined) {
      throw new UsageError(
        `--${input.name} was given ${given.length} times (${given.map((v) => JSON.stringify(v)).join(', ')}); it takes one value, so give it once`,
      );
    }
    inputs[input.name] = given.join(input.separator ?? '');
  }
  return { inputs, verbose: values.verbose === true, help: values.help === true };
}

export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout(usage());
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === 'help') return help(rest, io);
  if (command === '--version') {
    io.stdout(`${TOOL.version}\n`);
    return EXIT_OK;
  }
  if (command === 'verify') return runVerify(rest, io);
  if (command !== 'build' && command !== 'plan') {
    io.stderr(
      `error: unknown command '${command}'; use ${COMMANDS.map((c) => `'${c}'`).join(', ')} (see --help)\n`,
    );
    return EXIT_USAGE;
  }
  let flags: CliFlags;
  try {
    flags = readFlags(rest);
  } catch (err) {
    io.stderr(`error: ${(err as Error).message} (see ${TOOL.name} ${command} --help)\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    io.stdout(commandUsage(command));
    return EXIT_OK;
  }
  const log = new TerminalLogger(flags.verbose, io.stderr);
  try {
    // The token comes from the environment only, as gh and GoReleaser take it: never a flag.
    const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN || '';
    // The signing secrets likewise: the environment, where a CI system's secret store puts them.
    const secrets = {
      'windows-certificate': io.env.GO_BUILD_MATRIX_WINDOWS_CERTIFICATE ?? '',
      'windows-certificate-password': io.env.GO_BUILD_MATRIX_WINDOWS_CERTIFICATE_PASSWORD ?? '',
      'macos-certificate': io.env.GO_BUILD_MATRIX_MACOS_CERTIFICATE ?? '',
      'macos-certificate-password': io.env.GO_BUILD_MATRIX_MACOS_CERTIFICATE_PASSWORD ?? '',
      'macos-notary-key': io.env.GO_BUILD_MATRIX_MACOS_NOTARY_KEY ?? '',
    };
    const options = {
      ...parseOptions({ mode: command, ...flags.inputs, ...secrets }, io.cwd),
      githubToken: token,
    };
    if (options.mode === 'build' && options.release !== 'false') {
      const lacking = releaseEnvironmentLacks(io.env, token);
      if (lacking !== null) throw new InputError('release', options.release, lacking);
    }
    const ctx = { baseDir: io.cwd, env: io.env, log };
    if (options.mode === 'plan') {
      const plan = await planMatrix(options, ctx);
      io.stdout(`${JSON.stringify(plan.matrix, null, 2)}\n`);
      return EXIT_OK;
    }
    const result = await buildMatrix(options, ctx);
    await publishReports(result.manifest, options, io.env, log);
    if (options.summary) await appendSummary(result.manifest, io.env, log);
    io.stdout(`${renderTable(result.manifest)}\nmanifest: ${result.manifestPath}\n`);
    const targetsFailed =
      result.uploadError !== null || result.manifest.artifacts.some((a) => isFailure(a.status));
    try {
      const handed = await handOff({
        manifest: result.manifest,
        options,
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

/** `help` alone is the overview; `help COMMAND` is that command's `--help`. */
function help(args: readonly string[], io: CliIo): number {
  const [topic, ...extra] = args;
  if (topic === undefined) {
    io.stdout(usage());
    return EXIT_OK;
  }
  if (!isCommand(topic) || extra.length > 0) {
    io.stderr(`error: help takes one command: ${COMMANDS.join(', ')} (got ${args.join(' ')})\n`);
    return EXIT_USAGE;
  }
  io.stdout(commandUsage(topic));
  return EXIT_OK;
}

/**
 * The job summary, when the CLI runs in a workflow step (Actions names the file in
 * GITHUB_STEP_SUMMARY); elsewhere the table on stdout is the summary.
 */
async function appendSummary(manifest: Manifest, env: CliIo['env'], log: TerminalLogger): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    await appendFile(file, renderSummary(manifest));
  } catch (err) {
    log.warning(
      `The job summary could not be written to ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
