// Which tag a run releases, and what the tag itself says about the release.

/** The tag the workflow runs for (a tag push, or a dispatch on a tag); null on a branch or a pull request. */
export function releaseTag(env: Readonly<Record<string, string | undefined>>): string | null {
  const ref = env.GITHUB_REF ?? '';
  return ref.startsWith('refs/tags/') && ref.length > 'refs/tags/'.length
    ? ref.slice('refs/tags/'.length)
    : null;
}

// semver.org's grammar, with Go's customary leading 'v' optional.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * v1.2.0-rc.1 is a prerelease; v1.2.0, v1.2.0+meta and tags that are not semver are not. A Go
 * sub-module's tag (tools/v0.2.0-rc.1) carries its version in the last path element.
 */
export function isSemverPrerelease(tag: string): boolean {
  const match = SEMVER.exec(tagVersion(tag));
  return match !== null && match[4] !== undefined;
}

/** The version a tag names: its last path element, as Go reads a sub-module's tag (tools/v0.2.0 → v0.2.0). */
export function tagVersion(tag: string): string {
  return tag.slice(tag.lastIndexOf('/') + 1);
}

/** A signed tag's message ends in its signature block, which is no part of the notes. */
export function tagNotes(message: string): string {
  const signature = message.search(/^-----BEGIN (PGP|SSH) SIGNATURE-----$/m);
  return (signature >= 0 ? message.slice(0, signature) : message).trim();
}

/**
 * What a release run outside GitHub Actions lacks of what Actions sets, as one sentence naming
 * each variable to set; null when nothing is lacking, or when GITHUB_REF names a branch (such a
 * run skips the release, as on a branch in Actions).
 */
export function releaseEnvironmentLacks(
  env: Readonly<Record<string, string | undefined>>,
  token: string,
): string | null {
  if (env.GITHUB_REF && releaseTag(env) === null) return null;
  const lacking = [
    ...(releaseTag(env) === null
      ? ['GITHUB_REF=refs/tags/<tag> (the tag to release, e.g. refs/tags/v1.2.0)']
      : []),
    ...(/^[^/\s]+\/[^/\s]+$/.test(env.GITHUB_REPOSITORY ?? '')
      ? []
      : ['GITHUB_REPOSITORY=<owner>/<repo> (the repository holding the tag)']),
    ...(token
      ? []
      : ["GITHUB_TOKEN or GH_TOKEN (a token with 'contents: write', e.g. GH_TOKEN=$(gh auth token))"]),
  ];
  if (lacking.length === 0) return null;
  return `Outside GitHub Actions a release takes what Actions sets from the environment; set ${lacking.join(', ')}, then run the same command again (or leave out --release to build only).`;
}
