// A CycloneDX 1.6 JSON SBOM of one built file, shaped like cyclonedx-gomod's `bin` output (its
// component names, versions, purls, hashes, `std` component, dependency graph and compositions)
// so tools that read either see the same modules. Plain objects in a fixed key order, so one
// binary always gives the same bytes.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { VulnFinding } from '../report/manifest.js';
import type { Dependency } from '../verify/index.js';
import type { GoBuild } from './buildinfo.js';
import { golangPurl } from './purl.js';

export interface CycloneDxSubject {
  file: string;
  target: string;
  sha256: string;
  vulncheck?: VulncheckFindings;
}

/** govulncheck's verdict on the file (the manifest's `vulncheck`). */
export interface VulncheckFindings {
  reachable: readonly VulnFinding[];
  imported: readonly VulnFinding[];
  required?: readonly VulnFinding[];
}

export interface CycloneDxContext {
  tool: { name: string; version: string };
  timestamp: Date;
}

interface Hash {
  alg: 'SHA-256';
  content: string;
}

interface Property {
  name: string;
  value: string;
}

interface Component {
  'bom-ref': string;
  type: 'application' | 'library';
  name: string;
  version?: string;
  scope?: 'required';
  hashes?: Hash[];
  purl?: string;
  properties?: Property[];
}

const NS = 'go-build-matrix';

/** The document for the builds read from `subject.file` (one, or one per universal slice). */
export function cycloneDx(
  subject: CycloneDxSubject,
  builds: readonly GoBuild[],
  ctx: CycloneDxContext,
): string {
  const [first] = builds;
  if (!first) throw new Error(`${subject.file}: no build info to describe`);
  const main = mainComponent(subject, builds, first);
  const components = libraryComponents(builds);
  const refs = components.map((c) => c['bom-ref']);
  const header = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
  };
  const body = {
    version: 1,
    metadata: {
      // Whole seconds, as cyclonedx-gomod writes it (RFC 3339).
      timestamp: ctx.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      tools: { components: [{ type: 'application', name: ctx.tool.name, version: ctx.tool.version }] },
      component: main,
    },
    components,
    // Build info records which modules are linked, not which requires which: the main module
    // depends on every one of them and their own edges are unknown (so say the compositions).
    dependencies: [{ ref: main['bom-ref'], dependsOn: refs }, ...refs.map((ref) => ({ ref }))],
    compositions: [
      { aggregate: 'complete', dependencies: [main['bom-ref']] },
      { aggregate: 'unknown', dependencies: refs },
    ],
    ...(subject.vulncheck ? { vulnerabilities: vulnerabilities(subject.vulncheck, main, components) } : {}),
  };
  const doc = { ...header, serialNumber: serialNumber(JSON.stringify({ ...header, ...body })), ...body };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * govulncheck's findings as CycloneDX vulnerabilities, each affecting the component of its
 * module (`std` for the standard library): reachable ones `exploitable` (the binary holds the
 * vulnerable functions), imported ones `not_affected` because the code is not reachable, those
 * of a linked module whose vulnerable packages the binary lacks `not_affected`, code not present.
 */
function vulnerabilities(
  found: VulncheckFindings,
  main: Component,
  components: readonly Component[],
): object[] {
  const refOf = (f: VulnFinding): string => {
    const name = f.module === 'stdlib' ? 'std' : f.module;
    const hit =
      components.find((c) => c.name === name && c.version === f.version) ??
      components.find((c) => c.name === name);
    return hit?.['bom-ref'] ?? main['bom-ref'];
  };
  const entry = (f: VulnFinding, depth: 'reachable' | 'imported' | 'required'): object => ({
    'bom-ref': `${NS}:vulnerability:${f.id}`,
    id: f.id,
    source: { name: 'Go Vulnerability Database', url: `https://pkg.go.dev/vuln/${f.id}` },
    ...(f.aliases.length > 0 ? { references: f.aliases.map(alias) } : {}),
    description: f.summary,
    ...(f.fixed === null
      ? {}
      : {
          recommendation:
            f.module === 'stdlib'
              ? `Build with ${f.fixed} or newer.`
              : `Upgrade ${f.module} to ${f.fixed} or newer.`,
        }),
    analysis:
      depth === 'reachable'
        ? {
            state: 'exploitable',
            detail: `govulncheck found its vulnerable functions in the binary: ${f.symbols.join(', ')}.`,
          }
        : depth === 'imported'
          ? {
              state: 'not_affected',
              justification: 'code_not_reachable',
              detail: `The binary holds ${f.packages.join(', ')} but none of the vulnerable functions (govulncheck).`,
            }
          : {
              state: 'not_affected',
              justification: 'code_not_present',
              detail: `The binary links ${f.module === 'stdlib' ? 'the standard library' : f.module} but none of the vulnerable packages (govulncheck).`,
            },
    affects: [{ ref: refOf(f), versions: [{ version: f.version, status: 'affected' }] }],
  });
  return [
    ...found.reachable.map((f) => entry(f, 'reachable')),
    ...found.imported.map((f) => entry(f, 'imported')),
    ...(found.required ?? []).map((f) => entry(f, 'required')),
  ];
}

/** A CVE or GHSA alias, with where it is published. */
function alias(id: string): { id: string; source: { name: string; url: string } } {
  return id.startsWith('GHSA-')
    ? { id, source: { name: 'GitHub Advisory Database', url: `https://github.com/advisories/${id}` } }
    : { id, source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` } };
}

function mainComponent(subject: CycloneDxSubject, builds: readonly GoBuild[], first: GoBuild): Component {
  const version = mainVersion(first);
  // The main package inside the module, as cyclonedx-gomod's purl subpath: `…/fzf@v1#cmd/tool`.
  const pkg = first.path ?? first.module;
  const subpath = pkg.startsWith(`${first.module}/`) ? pkg.slice(first.module.length + 1) : null;
  const purl = golangPurl(first.module, version, subpath);
  const properties: Property[] = [
    { name: `${NS}:target`, value: subject.target },
    { name: `${NS}:binary:name`, value: path.basename(subject.file) },
    { name: `${NS}:binary:sha256`, value: subject.sha256 },
  ];
  // A universal binary's slices each carry their own settings (GOARCH, GOAMD64 …): named per slice.
  for (const b of builds) {
    const prefix = builds.length > 1 ? `${NS}:slice:${b.settings.GOARCH ?? '?'}:` : `${NS}:`;
    properties.push(...buildProperties(b, prefix));
  }
  return {
    'bom-ref': purl,
    type: 'application',
    name: first.module,
    version: version ?? undefined,
    hashes: hashes(first.moduleSum),
    purl,
    properties,
  };
}

function buildProperties(b: GoBuild, prefix: string): Property[] {
  const props: Property[] = [];
  if (b.goVersion) props.push({ name: `${prefix}go:version`, value: b.goVersion });
  if (b.path) props.push({ name: `${prefix}go:package`, value: b.path });
  // Every setting, in Go's order: GOOS, GOARCH, the arch variant, CGO_ENABLED, -tags, -ldflags, vcs.* …
  for (const [key, value] of Object.entries(b.settings)) {
    props.push({ name: `${prefix}build:${key}`, value });
  }
  return props;
}

/**
 * The version the main module is published as. Go before 1.24 stamps `(devel)` even in a
 * repository: then, as cyclonedx-gomod does, the pseudo-version of the recorded commit (with Go
 * 1.24's `+dirty` for a modified tree). No version at all when the build recorded neither.
 */
function mainVersion(b: GoBuild): string | null {
  if (isVersion(b.moduleVersion)) return b.moduleVersion;
  const revision = b.settings['vcs.revision'];
  const time = Date.parse(b.settings['vcs.time'] ?? '');
  if (!revision || Number.isNaN(time)) return null;
  const stamp = new Date(time).toISOString().slice(0, 19).replace(/[-T:]/g, '');
  const dirty = b.settings['vcs.modified'] === 'true' ? '+dirty' : '';
  return `v0.0.0-${stamp}-${revision.slice(0, 12)}${dirty}`;
}

/** A version a purl can carry: not empty (a directory) and not `(devel)` (a workspace module). */
function isVersion(v: string | null): v is string {
  return v !== null && v !== '' && v !== '(devel)';
}

/**
 * One library component per linked module (the union over a universal binary's slices), sorted by
 * name, then the standard library as cyclonedx-gomod's `-std` adds it: `std` at the Go version.
 */
function libraryComponents(builds: readonly GoBuild[]): Component[] {
  const byRef = new Map<string, Component>();
  const add = (c: Component): void => {
    const known = byRef.get(c['bom-ref']);
    if (!known) byRef.set(c['bom-ref'], c);
    // Two modules replaced by the same one: one component that says it replaces both.
    else if (c.properties) {
      const names = new Set(known.properties?.map((p) => p.value));
      known.properties = [...(known.properties ?? []), ...c.properties.filter((p) => !names.has(p.value))];
    }
  };
  for (const b of builds) for (const d of b.deps) add(moduleComponent(d));
  const modules = [...byRef.values()].sort(
    (a, b) => compare(a.name, b.name) || compare(a['bom-ref'], b['bom-ref']),
  );
  const std = new Map<string, Component>();
  for (const b of builds) {
    const version = b.goVersion?.match(/\bgo\S+/)?.[0];
    if (!version) continue;
    const purl = golangPurl('std', version);
    std.set(purl, { 'bom-ref': purl, type: 'library', name: 'std', version, scope: 'required', purl });
  }
  return [...modules, ...std.values()];
}

/**
 * What is linked: the dep itself, or (like cyclonedx-gomod) its replacement, saying what it
 * replaces. A directory replacement (Go records its version as `(devel)`) has no version, sum or
 * purl: the component keeps the module path the code is imported by and names the directory.
 */
function moduleComponent(d: Dependency): Component {
  const { replace } = d;
  const replaces: Property[] = replace ? [{ name: `${NS}:replaces`, value: `${d.path}@${d.version}` }] : [];
  if (replace && !isVersion(replace.version)) {
    return {
      'bom-ref': `${d.path}@${d.version} => ${replace.path}`,
      type: 'library',
      name: d.path,
      scope: 'required',
      properties: [...replaces, { name: `${NS}:replacement-directory`, value: replace.path }],
    };
  }
  const m = replace ?? d;
  const version = isVersion(m.version) ? m.version : null;
  const purl = golangPurl(m.path, version);
  return {
    'bom-ref': purl,
    type: 'library',
    name: m.path,
    version: version ?? undefined,
    scope: 'required',
    hashes: hashes(m.sum),
    purl,
    properties: replaces.length > 0 ? replaces : undefined,
  };
}

/** An `h1:` sum is the base64 SHA-256 of the module's dirhash: the hex of those bytes, as cyclonedx-gomod gives it. */
function hashes(sum: string | null): Hash[] | undefined {
  if (!sum?.startsWith('h1:')) return undefined;
  const digest = Buffer.from(sum.slice(3), 'base64');
  if (digest.length !== 32 || digest.toString('base64') !== sum.slice(3)) return undefined;
  return [{ alg: 'SHA-256', content: digest.toString('hex') }];
}

/**
 * A name-based (version 5) UUID, in the RFC 4122 URL namespace, of the document without its
 * serial number: every other document gets another one (as CycloneDX asks of a serial number),
 * the same document always the same one, so a re-run writes the same bytes. (CycloneDX 1.6
 * accepts only UUID versions 1 to 5.)
 */
function serialNumber(content: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(namespace).update(`${NS}:cyclonedx:${content}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Byte order, as Go sorts module paths (localeCompare would depend on the machine's locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
