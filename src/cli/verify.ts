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
import { joinOptionValues } from './args.js';
import { commandUsage } from './usage.js';

const VERIFY_OPTIONS = {
  target: { type: 'string' },
  'cgo-enabled': { type: 'string' },
  linkage: { type: 'string' },
  'max-glibc': { type: 'string' },
  'min-macos': { type: 'string' },
  'min-windows': { type: 'string' },
} as const;
/** Every verify option takes a value. */
const VALUE_OPTIONS = new Set(Object.keys(VERIFY_OPTIONS));

export interface VerifyIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

/**
 * `go-build-matrix verify --target T FILE`: the verdict as JSON. Exit 0 when the file is what
 * the target says, 1 when it is not (including no executable at all), 2 for a usage error.
 */
export async function runVerify(args: readonly string[], io: VerifyIo): Promise<number> {
  let request: VerifyRequest;
  let file: string;
  try {
    const parsed = parseArgs({
      args: joinOptionValues(args, VALUE_OPTIONS, new Set()),
      options: { ...VERIFY_OPTIONS, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    const { values, positionals } = parsed;
    if (values.help === true) {
      io.stdout(commandUsage('verify'));
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(`verify takes exactly one FILE (got ${positionals.length})`);
    if (values.target === undefined) throw new UsageError('verify needs --target GOOS/GOARCH[/VARIANT]');
    file = path.resolve(io.cwd, positionals[0] as string);
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
    request = {
      ...parseTarget(values.target),
      cgoEnabled: options.cgoEnabled,
      linkage: options.linkage,
      maxGlibc: options.maxGlibc,
      minMacos: options.minMacos,
      minWindows: options.minWindows,
      settingsAre: 'flags',
    };
    if (!isFile(file)) throw new UsageError(`${file} is not a file`);
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
  const verdict = await verifyFile(file, request);
  io.stdout(`${JSON.stringify(verdict, null, 2)}\n`);
  return verdict.ok ? 0 : 1;
}

class UsageError extends Error {}

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
