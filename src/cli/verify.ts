import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../options/errors.js';
import { parseOptions } from '../options/options.js';
import type { TargetUniverse } from '../targets/expand.js';
import { selectTargets } from '../targets/expand.js';
import { parseTargetList, TargetSyntaxError } from '../targets/grammar.js';
import { goValue, variantRule } from '../targets/variants.js';
import type { VerifyRequest } from '../verify/index.js';
import { verifyFile } from '../verify/index.js';
import { verifiableTargets } from '../verify/expect.js';
import type { VerifyReleaseRequest } from '../verify-release/index.js';
import { renderVerification, verifyRelease } from '../verify-release/index.js';
import { msFromEnv } from '../env-knobs.js';
import { apiFailure } from '../github/client.js';
import { TerminalLogger } from './logger.js';
import { joinOptionValues } from './args.js';
import { commandUsage } from './usage.js';

const VERIFY_OPTIONS = {
  target: { type: 'string' },
  'cgo-enabled': { type: 'string' },
  linkage: { type: 'string' },
  'max-glibc': { type: 'string' },
  'min-macos': { type: 'string' },
  'min-windows': { type: 'string' },
  release: { type: 'string' },
  manifest: { type: 'string' },
} as const;
/** Every verify option takes a value. */
const VALUE_OPTIONS = new Set(Object.keys(VERIFY_OPTIONS));

export interface VerifyIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * `go-build-matrix verify --target T FILE`: the verdict as JSON. Exit 0 when the file is what
 * the target says, 1 when it is not (including no executable at all), 2 for a usage error.
 * `verify --release OWNER/REPO@TAG` and `verify --manifest FILE` verify a release's assets.
 */
export async function runVerify(args: readonly string[], io: VerifyIo): Promise<number> {
  let asked: Asked;
  try {
    asked = readVerifyArgs(args, io);
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof InputError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`error: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  if (asked.kind === 'help') {
    io.stdout(commandUsage('verify'));
    return 0;
  }
  if (asked.kind === 'assets') return verifyAssets(asked.source, io);
  const verdict = await verifyFile(asked.file, asked.request);
  io.stdout(`${JSON.stringify(verdict, null, 2)}\n`);
  return verdict.ok ? 0 : 1;
}

type Asked =
  | { kind: 'help' }
  | { kind: 'file'; file: string; request: VerifyRequest }
  | { kind: 'assets'; source: VerifyReleaseRequest['source'] };

function readVerifyArgs(args: readonly string[], io: VerifyIo): Asked {
  const parsed = parseArgs({
    args: joinOptionValues(args, VALUE_OPTIONS, new Set()),
    options: { ...VERIFY_OPTIONS, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  const source = releaseSource(values, positionals, io);
  if (source !== null) return { kind: 'assets', source };
  if (positionals.length !== 1)
    throw new UsageError(`verify takes exactly one FILE (got ${positionals.length})`);
  if (values.target === undefined)
    throw new UsageError('verify needs --target GOOS/GOARCH[/VARIANT], or --release or --manifest');
  const file = path.resolve(io.cwd, positionals[0] as string);
  const options = parseOptions(
    {
      'cgo-enabled': values['cgo-enabled'] ?? '',
      linkage: values.linkage ?? '',
      'max-glibc': values['max-glibc'] ?? '',
      'min-macos': values['min-macos'] ?? '',
      'min-windows': values['min-windows'] ?? '',
    },
    io.cwd,
  );
  const request: VerifyRequest = {
    ...parseTarget(values.target),
    cgoEnabled: options.cgoEnabled,
    linkage: options.linkage,
    maxGlibc: options.maxGlibc,
    minMacos: options.minMacos,
    minWindows: options.minWindows,
    settingsAre: 'flags',
  };
  if (!isFile(file)) throw new UsageError(`${file} is not a file`);
  return { kind: 'file', file, request };
}

class UsageError extends Error {}

/** The source of `--release` or `--manifest`; null when neither is given. */
function releaseSource(
  values: { release?: string; manifest?: string; target?: string },
  positionals: readonly string[],
  io: VerifyIo,
): VerifyReleaseRequest['source'] | null {
  const { release, manifest } = values;
  if (release === undefined && manifest === undefined) return null;
  if (release !== undefined && manifest !== undefined)
    throw new UsageError('verify takes --release or --manifest, not both');
  if (values.target !== undefined || positionals.length > 0)
    throw new UsageError(
      `verify --${release !== undefined ? 'release' : 'manifest'} takes no --target or FILE: the manifest gives each asset's target`,
    );
  if (manifest !== undefined) {
    const file = path.resolve(io.cwd, manifest);
    if (!isFile(file)) throw new UsageError(`--manifest ${manifest}: ${file} is not a file`);
    return { kind: 'manifest', file, cwd: io.cwd };
  }
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)@(.+)$/.exec(release ?? '');
  if (!m) throw new InputError('release', release ?? '', 'OWNER/REPO@TAG, e.g. octo/hello@v1.2.0');
  // The token comes from the environment, as for build --release: never a flag.
  return {
    kind: 'release',
    owner: m[1] as string,
    repo: m[2] as string,
    tag: m[3] as string,
    token: io.env.GITHUB_TOKEN || io.env.GH_TOKEN || '',
    apiUrl: io.env.GITHUB_API_URL || undefined,
    retryBaseMs: msFromEnv(io.env, 'GO_BUILD_MATRIX_API_RETRY_MS') ?? 1000,
  };
}

/** The table on stdout; exit 0 when every asset passed, 1 when one did not or none could be had. */
async function verifyAssets(source: VerifyReleaseRequest['source'], io: VerifyIo): Promise<number> {
  const log = new TerminalLogger(false, io.stderr);
  try {
    const verification = await verifyRelease({ source, log });
    io.stdout(renderVerification(verification));
    return verification.ok ? 0 : 1;
  } catch (err) {
    const message =
      source.kind === 'release' ? apiFailure(err, source.token).message : (err as Error).message;
    io.stderr(`error: ${message}\n`);
    return 1;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The target, checked against the verifier's own rules: a file is judged by what it is, so the
 * question is the same whichever Go (if any) is on PATH, and for files of ports that this Go no
 * longer has (windows/arm under Go 1.26) or does not have yet.
 */
function parseTarget(text: string): Pick<VerifyRequest, 'goos' | 'goarch' | 'variant'> {
  let patterns;
  try {
    patterns = parseTargetList(text);
  } catch (err) {
    if (err instanceof TargetSyntaxError) throw new InputError('target', text, err.reason);
    throw err;
  }
  const [pattern] = patterns;
  if (
    pattern === undefined ||
    patterns.length !== 1 ||
    pattern.kind !== 'pattern' ||
    [pattern.goos, pattern.goarch, pattern.variant ?? ''].some((s) => s.includes('*'))
  ) {
    throw new InputError(
      'target',
      text,
      'verify checks one target: write GOOS/GOARCH or GOOS/GOARCH/VARIANT, without wildcards or presets.',
    );
  }
  try {
    selectTargets(text, '', VERIFIER_UNIVERSE);
  } catch (err) {
    if (err instanceof InputError) throw new InputError('target', err.value, err.expected);
    throw err;
  }
  const rule = variantRule(pattern.goarch);
  return {
    goos: pattern.goos,
    goarch: pattern.goarch,
    variant:
      pattern.variant !== null && rule ? { name: rule.variable, value: goValue(pattern.variant) } : null,
  };
}

/** Every target the rules know, with every variant value any Go release accepts. */
const VERIFIER_UNIVERSE: TargetUniverse = {
  dist: verifiableTargets().map((t) => ({ ...t, firstClass: false, cgoSupported: true })),
  broken: [],
  goVersion: 'any Go release the verifier knows',
  release: [999, 0],
};
