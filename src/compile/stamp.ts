// What Go stamps into a binary about its own source (Go 1.24+: the main module version from the
// VCS; vcs.* settings), compared with what the manifest and {version} say, so that a difference
// is explained in the manifest instead of left for users to puzzle over.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GoRelease } from '../targets/variants.js';
import { atLeast } from '../targets/variants.js';
import type { BuildInfoSummary } from '../verify/index.js';

/** The version control metadata directories Go's VCS detection looks for (cmd/go/internal/vcs). */
const VCS_DIRS = ['.git', '.hg', '.svn', '.bzr', '.fossil', '_FOSSIL_'];

export interface StampContext {
  /** `{version}` and the manifest's `version`. */
  readonly version: string;
  readonly release: GoRelease;
  /** -buildvcs=false in GOFLAGS or flags: Go records no VCS facts on purpose. */
  readonly buildvcsOff: boolean;
  /** VCS metadata directories from the module directory up to the root, nearest first. */
  readonly vcsDirs: readonly string[];
}

export function findVcsDirs(moduleDir: string): string[] {
  const found: string[] = [];
  for (let dir = path.resolve(moduleDir); ; dir = path.dirname(dir)) {
    for (const name of VCS_DIRS) if (existsSync(path.join(dir, name))) found.push(path.join(dir, name));
    if (path.dirname(dir) === dir) return found;
  }
}

/**
 * Since Go 1.23.11, 1.24.5 and 1.25, `go build` fails ("multiple VCS detected") when more than
 * one version control directory holds the module and VCS stamping is on: every target would fail
 * alike, so this says it once, before any build. Null when the build can stamp.
 */
export function multipleVcsProblem(
  goVersion: string,
  ctx: Pick<StampContext, 'buildvcsOff' | 'vcsDirs'>,
  godebug: string,
): string | null {
  if (ctx.buildvcsOff || ctx.vcsDirs.length < 2 || /(^|,)allowmultiplevcs=1(,|$)/.test(godebug)) return null;
  const v = /^go1\.(\d+)(?:\.(\d+))?/.exec(goVersion);
  const [minor, patch] = [Number(v?.[1] ?? 0), Number(v?.[2] ?? 0)];
  const refuses = minor >= 25 || (minor === 24 && patch >= 5) || (minor === 23 && patch >= 11);
  if (!refuses) return null;
  return `More than one version control directory holds the module (${ctx.vcsDirs.join(', ')}), and ${goVersion} then refuses to stamp VCS information ("multiple VCS detected"), so no target would build: remove the extra one, add -buildvcs=false to 'flags', or set GODEBUG=allowmultiplevcs=1 in 'env' (the binaries then record no vcs.* settings).`;
}

/** -buildvcs=false (or -buildvcs false) in GOFLAGS or the `flags` input. */
export function buildvcsDisabled(goflags: string, flags: readonly string[]): boolean {
  const words = [...goflags.split(/\s+/), ...flags];
  return words.some(
    (w, i) => /^--?buildvcs=false$/.test(w) || (/^--?buildvcs$/.test(w) && words[i + 1] === 'false'),
  );
}

/** Sentences for the artifact's notes: why the binary's own version or VCS facts differ from ours. */
export function stampNotes(bi: BuildInfoSummary | null, ctx: StampContext): string[] {
  if (bi === null || !atLeast(ctx.release, [1, 18])) return [];
  const notes: string[] = [];
  const hasVcs = Object.keys(bi.settings).some((k) => k === 'vcs' || k.startsWith('vcs.'));
  const stamped = bi.moduleVersion;
  if (!hasVcs && !ctx.buildvcsOff && ctx.vcsDirs.length > 1) {
    notes.push(
      `build info has no vcs.* settings: more than one version control directory holds the module (${ctx.vcsDirs.join(', ')}), and Go then records none (before Go 1.23.11 and 1.24.5, or with GODEBUG=allowmultiplevcs=1); keep one of them to get the revision recorded`,
    );
  }
  if (stamped === null || stamped === ctx.version) return notes;
  if (stamped === '(devel)') {
    if (!atLeast(ctx.release, [1, 24])) return notes;
    const why = ctx.buildvcsOff
      ? '-buildvcs=false is set'
      : ctx.vcsDirs.length === 0
        ? 'the module is not in a version-controlled checkout'
        : hasVcs
          ? 'Go could not derive a module version from the checkout'
          : 'Go read no VCS information';
    notes.push(
      `the binary's build info names the main module version (devel) because ${why}, while the manifest and {version} say ${ctx.version}`,
    );
    return notes;
  }
  const dirty = stamped.endsWith('+dirty') ? ' and +dirty marks uncommitted changes in the checkout' : '';
  const pseudo = /-0\.\d{14}-[0-9a-f]{12}/.test(stamped)
    ? ': a pseudo-version, because no semver tag is on the built commit (a shallow checkout fetches no tags: actions/checkout with fetch-depth: 0)'
    : '';
  notes.push(
    `Go stamped the main module version ${stamped} from the VCS${pseudo}${dirty}, while the manifest and {version} say ${ctx.version}; set 'version' to ${stamped} (or build a tagged commit) to make them agree`,
  );
  return notes;
}
