// An SBOM against the binary it names: the document is made again, by src/sbom's own writer, from
// the build info of the binary as shipped (with the SBOM's own tool and timestamp), and the parts
// that describe the build must be the same: the main component (module, version, target, the
// binary's name and sha256, Go version, every build setting) and the linked modules.
import type { GoBuild } from '../sbom/buildinfo.js';
import { readGoBuilds } from '../sbom/buildinfo.js';
import { cycloneDx } from '../sbom/cyclonedx.js';

interface Doc {
  metadata?: {
    timestamp?: unknown;
    tools?: { components?: { name?: unknown; version?: unknown }[] };
    component?: { name?: unknown; version?: unknown; properties?: { name: string; value: string }[] };
  };
  components?: { 'bom-ref'?: unknown }[];
}

export interface SbomSubject {
  /** The binary as shipped, written to disk (a universal binary's SBOM describes every slice). */
  file: string;
  /** The binary's name in output-dir, as the SBOM names it. */
  name: string;
  target: string;
  sha256: string;
}

/** What differs between the SBOM and the binary's build info, as sentences; empty when nothing does. */
export async function sbomProblems(sbomText: string, subject: SbomSubject): Promise<string[]> {
  let doc: Doc;
  try {
    doc = JSON.parse(sbomText) as Doc;
  } catch (err) {
    return [`not JSON: ${(err as Error).message}`];
  }
  const tool = doc.metadata?.tools?.components?.[0];
  const timestamp = new Date(String(doc.metadata?.timestamp));
  if (typeof tool?.name !== 'string' || typeof tool.version !== 'string' || Number.isNaN(timestamp.getTime()))
    return ['not a CycloneDX SBOM of this tool (no metadata.tools or timestamp)'];
  let builds: GoBuild[];
  try {
    builds = await readGoBuilds(subject.file);
  } catch (err) {
    return [`its binary has no build info to compare with: ${(err as Error).message}`];
  }
  const made = JSON.parse(
    cycloneDx({ file: subject.name, target: subject.target, sha256: subject.sha256 }, builds, {
      tool: { name: tool.name, version: tool.version },
      timestamp,
    }),
  ) as Doc;
  return [...mainProblems(doc, made), ...componentProblems(doc, made)];
}

function mainProblems(shipped: Doc, made: Doc): string[] {
  const a = shipped.metadata?.component;
  const b = made.metadata?.component;
  const problems: string[] = [];
  for (const key of ['name', 'version'] as const) {
    if (a?.[key] !== b?.[key])
      problems.push(`main component ${key} is ${show(a?.[key])}, the binary's is ${show(b?.[key])}`);
  }
  const props = (c: typeof a) => new Map((c?.properties ?? []).map((p) => [p.name, p.value]));
  const [have, want] = [props(a), props(b)];
  for (const name of new Set([...want.keys(), ...have.keys()])) {
    if (have.get(name) !== want.get(name))
      problems.push(`${name} is ${show(have.get(name))}, the binary's is ${show(want.get(name))}`);
  }
  return problems;
}

function componentProblems(shipped: Doc, made: Doc): string[] {
  const refs = (d: Doc) => new Set((d.components ?? []).map((c) => String(c['bom-ref'])));
  const [have, want] = [refs(shipped), refs(made)];
  const extra = [...have].filter((r) => !want.has(r));
  const lacking = [...want].filter((r) => !have.has(r));
  return [
    ...(extra.length > 0 ? [`lists modules the binary does not link: ${extra.join(', ')}`] : []),
    ...(lacking.length > 0 ? [`leaves out modules the binary links: ${lacking.join(', ')}`] : []),
  ];
}

function show(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}
