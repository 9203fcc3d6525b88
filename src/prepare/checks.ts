// Checks of the inputs against the toolchain and the matrix, before anything is built: each bad
// input is one InputError naming it, not a failure per target later.
import type { Toolchain } from '../go/toolchain.js';
import type { Logger } from '../log.js';
import { InputError } from '../options/errors.js';
import type { Options } from '../options/options.js';
import type { RequestedTarget } from '../targets/expand.js';
import { selectTargets, targetId } from '../targets/expand.js';
import { buildMeaning } from '../targets/meaning.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import { atLeast } from '../targets/variants.js';
import { universeOf } from './queries.js';

/** Every target of this job must be one of `matrix-targets` (by what it builds), or its name could differ between legs. */
export function checkInMatrix(
  options: Options,
  targets: readonly ResolvedTarget[],
  matrixTargets: readonly ResolvedTarget[],
): void {
  if (options.matrixTargets === null) return;
  const builds = new Set(matrixTargets.map(buildMeaning));
  const outside = targets.filter((t) => !builds.has(buildMeaning(t))).map((t) => t.id);
  if (outside.length > 0) {
    throw new InputError(
      'matrix-targets',
      options.matrixTargets,
      `It names the whole matrix this job builds part of, and it does not hold ${outside.join(', ')} of 'targets'; add ${outside.length === 1 ? 'it' : 'them'}, or leave matrix-targets empty when this job builds the whole matrix.`,
    );
  }
}

/**
 * Settings this toolchain would silently not honour: GOFIPS140 before Go 1.24 (an error: the
 * binaries would not have the FIPS module they were asked for), GOWASM from Go 1.26 (a note:
 * the compiler always uses those features, so the binary is what it would be anyway).
 */
export function checkToolchainKnows(
  options: Options,
  toolchain: Toolchain,
  requested: readonly RequestedTarget[],
  log: Logger,
): void {
  const fips = options.env.GOFIPS140;
  if (fips !== undefined && fips !== 'off' && !atLeast(toolchain.release, [1, 24])) {
    throw new InputError(
      'env',
      `GOFIPS140=${fips}`,
      `GOFIPS140 needs Go 1.24 or newer, and ${toolchain.version} would build without the FIPS 140 module; install a newer Go before this step or drop the line.`,
    );
  }
  const wasm = requested.filter((t) => t.goarch === 'wasm' && t.variant !== null).map(targetId);
  if (wasm.length > 0 && atLeast(toolchain.release, [1, 26])) {
    log.info(
      `${toolchain.version} ignores GOWASM: the compiler always uses satconv and signext since Go 1.26, so ${wasm.join(', ')} build${wasm.length === 1 ? 's' : ''} the same code as without the variant.`,
    );
  }
}

/**
 * A `cc` line is checked like a target: a misspelt GOOS/GOARCH would silently never be used. A
 * line for a real target outside this matrix is only a warning (one `cc` list may serve several
 * jobs' matrices).
 */
export function checkCompilerLines(
  options: Options,
  toolchain: Toolchain,
  requested: readonly RequestedTarget[],
  log: Logger,
): void {
  const universe = universeOf(toolchain);
  for (const [target, compiler] of options.cc) {
    try {
      selectTargets(target, '', universe);
    } catch (err) {
      if (err instanceof InputError) throw new InputError('cc', `${target}=${compiler}`, err.expected);
      throw err;
    }
    if (!requested.some((t) => `${t.goos}/${t.goarch}` === target)) {
      log.warning(
        `Input 'cc' names a compiler for ${target}, which is not among the targets built here (${requested.map(targetId).join(' ')}); it is not used.`,
      );
    }
  }
}
