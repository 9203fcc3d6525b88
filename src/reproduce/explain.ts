// Why two builds of one target differ, in one sentence, from the two files alone: which sections
// differ (the container readers of src/verify name them), which build-info settings differ, and
// what one file holds that the other does not: a build directory, a timestamp.
import { readBuildInfosFrom } from '../verify/index.js';
import type { BuildInfoSummary } from '../verify/index.js';
import { readContainer } from '../verify/container.js';
import type { Region } from '../verify/regions.js';
import { BufferSource, FormatError } from '../verify/source.js';

export interface BuildPlaces {
  /** Directories of this build that must not reach the binary: its source tree, temp dirs. */
  readonly dirs: readonly string[];
}

export interface Explained {
  /** Sections (or segments) whose bytes differ, by name. */
  readonly sections: readonly string[];
  readonly sentence: string;
}

/** Names the difference between the first (`a`) and the second (`b`) build of a target. */
export async function explainDifference(
  a: Buffer,
  b: Buffer,
  first: BuildPlaces,
  second: BuildPlaces,
  trimpath: boolean,
): Promise<Explained> {
  const differing = await differingSections(a, b);
  // Build IDs hash the rest of the file: they differ whenever anything does, so they name no cause.
  const causes = differing.filter((name) => !BUILD_ID_NOTES.includes(name));
  const sections = causes.length > 0 ? causes : differing;
  const where = sections.length === 0 ? 'differs' : `differs in ${listed(sections)}`;
  const reasons = [buildPath(a, first, b, second, trimpath), await settings(a, b), timestamps(a, b)].filter(
    (r): r is string => r !== null,
  );
  const fallback =
    a.length === b.length
      ? `${differingBytes(a, b)} bytes differ, none of them a path, a build-info setting or a timestamp`
      : `the second file is ${b.length - a.length > 0 ? '+' : ''}${b.length - a.length} bytes, none of its differences a path, a build-info setting or a timestamp`;
  return { sections, sentence: `${where}: ${reasons.length > 0 ? reasons.join('; ') : fallback}` };
}

const BUILD_ID_NOTES = ['.note.go.buildid', '.note.gnu.build-id'];

function listed(names: readonly string[]): string {
  return names.length <= 4
    ? names.join(', ')
    : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
}

function differingBytes(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** The file's named regions (sections where the container has them), or [] when it cannot be read. */
async function regions(bytes: Buffer): Promise<Region[]> {
  try {
    const c = await readContainer(new BufferSource(bytes));
    if (c.kind === 'fat') return [];
    return 'loaded' in c ? c.loaded : c.data;
  } catch (err) {
    if (err instanceof FormatError) return [];
    throw err;
  }
}

const displayName = (r: Region): string => r.name.replace(/ (section|segment)$/, '');

/** Regions present in both whose bytes differ, or present in one only; then the bytes outside them. */
async function differingSections(a: Buffer, b: Buffer): Promise<string[]> {
  const [ra, rb] = await Promise.all([regions(a), regions(b)]);
  const byName = new Map(rb.map((r) => [displayName(r), r]));
  const out: string[] = [];
  for (const r of ra) {
    const other = byName.get(displayName(r));
    byName.delete(displayName(r));
    if (other === undefined || !slice(a, r).equals(slice(b, other))) out.push(displayName(r));
  }
  out.push(...byName.keys());
  const outside = (bytes: Buffer, rs: readonly Region[]): Buffer => {
    const masked = Buffer.from(bytes);
    for (const r of rs) masked.fill(0, r.offset, Math.min(bytes.length, r.offset + r.size));
    return masked;
  };
  if (ra.length > 0 && !outside(a, ra).equals(outside(b, rb)))
    out.push('the headers or unloaded data (symbols, debug info)');
  return out;
}

function slice(bytes: Buffer, r: Region): Buffer {
  return bytes.subarray(r.offset, Math.min(bytes.length, r.offset + r.size));
}

/** "embeds the build directory …" when a build's own directory is in its file. */
function buildPath(
  a: Buffer,
  first: BuildPlaces,
  b: Buffer,
  second: BuildPlaces,
  trimpath: boolean,
): string | null {
  // Only a directory one file holds and the other does not: one both hold explains nothing.
  const only = (own: Buffer, other: Buffer) => (d: string) => own.includes(d) && !other.includes(d);
  const found = first.dirs.find(only(a, b)) ?? second.dirs.find(only(b, a));
  if (found === undefined) return null;
  const why = trimpath
    ? 'though built with -trimpath: a cgo object, a flag or a generated file carries it'
    : 'built without -trimpath';
  return `embeds the build directory ${found} (${why})`;
}

async function settings(a: Buffer, b: Buffer): Promise<string | null> {
  const read = async (bytes: Buffer): Promise<BuildInfoSummary | null> => {
    try {
      return (await readBuildInfosFrom(new BufferSource(bytes)))[0] ?? null;
    } catch (err) {
      if (err instanceof FormatError) return null;
      throw err;
    }
  };
  const [ia, ib] = await Promise.all([read(a), read(b)]);
  if (ia === null || ib === null) return null;
  const keys = [...new Set([...Object.keys(ia.settings), ...Object.keys(ib.settings)])].sort();
  const show = (v: string | undefined): string => (v === undefined ? 'unset' : JSON.stringify(v));
  const differ = keys
    .filter((k) => ia.settings[k] !== ib.settings[k])
    .map((k) => `${k} ${show(ia.settings[k])} then ${show(ib.settings[k])}`);
  if (ia.moduleVersion !== ib.moduleVersion)
    differ.push(`the main module version ${ia.moduleVersion ?? 'unset'} then ${ib.moduleVersion ?? 'unset'}`);
  const deps = (i: BuildInfoSummary): string => JSON.stringify(i.deps);
  if (deps(ia) !== deps(ib)) differ.push('the dependency list');
  return differ.length === 0 ? null : `build info differs (${differ.join(', ')})`;
}

/** Printable runs of at least 4 bytes: what a file holds as text. */
function strings(bytes: Buffer): Set<string> {
  const out = new Set<string>();
  const text = bytes.toString('latin1');
  for (const m of text.matchAll(/[\x20-\x7e]{4,}/g)) out.add(m[0]);
  return out;
}

const STAMPS = [
  /\b(?:19|20)\d\d-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?/g,
  /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d (?:19|20)\d\d\b/g,
  /\b[0-2]\d:[0-5]\d:[0-5]\d\b/g,
  /\b1[6-9]\d{8}\b/g,
];

/** Date and time texts one file holds and the other does not (a build that stamps its own time). */
function timestamps(a: Buffer, b: Buffer): string | null {
  const sa = strings(a);
  const sb = strings(b);
  const stamps = (own: Set<string>, other: Set<string>): string[] => {
    const found = new Set<string>();
    for (const s of own) {
      if (other.has(s)) continue;
      for (const re of STAMPS) for (const m of s.matchAll(re)) found.add(m[0]);
    }
    return [...found];
  };
  const inA = stamps(sa, sb).filter((s) => !b.includes(s, 0, 'latin1'));
  const inB = stamps(sb, sa).filter((s) => !a.includes(s, 0, 'latin1'));
  if (inA.length === 0 || inB.length === 0) return null;
  return `embeds the time of its build (${inA.slice(0, 2).join(' ')} in the first, ${inB.slice(0, 2).join(' ')} in the second)`;
}
