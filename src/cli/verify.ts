import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadToolchain } from '../go/toolchain.js';
import { InputError } from '../options/errors.js';
import { parseOptions } from '../options/options.js';
import { selectTargets } from '../targets/expand.js';
import { parsePattern, TargetSyntaxError } from '../targets/grammar.js';
import { validVariantValues, variantRule } from '../targets/variants.js';
import type { VerifyRequest } from '../verify/index.js';
import { verifyFile } from '../verify/index.js';
import { expectationFor } from '../verify/expect.js';

export interface VerifyIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Any release: without a toolchain to ask, every value Go has ever accepted is a valid spelling. */
const ANY_RELEASE = [999, 0] as const;

/**
 * `go-build-matrix verify --target T FILE`: the verdict as JSON. Exit 0 when the file is what
 * the target says, 1 when it is not (including no executable at all), 2 for a usage error.
 */
export async function runVerify(args: readonly string[], io: VerifyIo): Promise<number> {
  let request: VerifyRequest;
  let file: string;
  try {
    const parsed = parseArgs({
      args: [...args],
      options: {
        target: { type: 'string' },
        'cgo-enabled': { type: 'string' },
        linkage: { type: 'string' },
        'max-glibc': { type: 'string' },
        'min-macos': { type: 'string' },
        'min-windows': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    const { values, positionals } = parsed;
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
      ...(await parseTarget(values.target, io)),
      cgoEnabled: options.cgoEnabled,
      linkage: options.linkage,
      maxGlibc: options.maxGlibc,
      minMacos: options.minMacos,
      minWindows: options.minWindows,
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

/** The target, checked against the Go on PATH when there is one (for "did you mean"), else against what the verifier knows. */
async function parseTarget(
  text: string,
  io: VerifyIo,
): Promise<Pick<VerifyRequest, 'goos' | 'goarch' | 'variant'>> {
  let pattern;
  try {
    pattern = parsePattern(text.trim());
  } catch (err) {
    if (err instanceof TargetSyntaxError) throw new InputError('target', text, err.reason);
    throw err;
  }
  if (
    pattern.kind !== 'pattern' ||
    [pattern.goos, pattern.goarch, pattern.variant ?? ''].some((s) => s.includes('*'))
  ) {
    throw new InputError(
      'target',
      text,
      'verify checks one target: write GOOS/GOARCH or GOOS/GOARCH/VARIANT, without wildcards or presets.',
    );
  }
  const env = Object.fromEntries(
    Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const toolchain = await loadToolchain(io.cwd, env).catch(() => null);
  if (toolchain) {
    try {
      selectTargets(text, '', {
        dist: toolchain.dist,
        goVersion: toolchain.version,
        release: toolchain.release,
      });
    } catch (err) {
      if (err instanceof InputError) throw new InputError('target', err.value, err.expected);
      throw err;
    }
  } else {
    const unknown = expectationFor(pattern.goos, pattern.goarch);
    if (typeof unknown === 'string') throw new InputError('target', text, unknown);
    if (
      pattern.variant !== null &&
      !validVariantValues(pattern.goarch, ANY_RELEASE).includes(pattern.variant)
    ) {
      throw new InputError(
        'target',
        text,
        `Valid variants of ${pattern.goarch}: ${validVariantValues(pattern.goarch, ANY_RELEASE).join(', ') || 'none'}.`,
      );
    }
  }
  const rule = variantRule(pattern.goarch);
  return {
    goos: pattern.goos,
    goarch: pattern.goarch,
    variant: pattern.variant !== null && rule ? { name: rule.variable, value: pattern.variant } : null,
  };
}
