// Package URLs of Go modules (the purl `golang` type): the module path split at its last slash into
// namespace and name, case kept (module paths are case-sensitive, as cyclonedx-gomod and the
// pending purl-spec change keep them), every part percent-encoded by packageurl-js.
import { PackageURL } from 'packageurl-js';

/** `pkg:golang/<module path>[@<version>][#<subpath>]`; no version for a build that has none. */
export function golangPurl(
  modulePath: string,
  version: string | null,
  subpath: string | null = null,
): string {
  const slash = modulePath.lastIndexOf('/');
  const namespace = slash < 0 ? undefined : modulePath.slice(0, slash);
  return new PackageURL(
    'golang',
    namespace,
    modulePath.slice(slash + 1),
    version ?? undefined,
    undefined,
    subpath ?? undefined,
  ).toString();
}
