// verifyFile: proves a produced file is the executable its target says, from its headers and Go build info.
import { open } from 'node:fs/promises';
import type { Format } from './arches.js';
import type { BuildInfoPlaces } from './buildinfo.js';
import { readBuildInfo } from './buildinfo.js';
import { check, highestGlibc } from './check.js';
import type { Container } from './container.js';
import { readContainer, sniff } from './container.js';
import type { Expectation } from './expect.js';
import { expectationFor } from './expect.js';
import { effectiveFloor, highestFloor } from './floor.js';
import type { Thin } from './thin.js';
import { identify } from './identify.js';
import type { FatSlice, MachoInfo } from './macho.js';
import { readMacho } from './macho.js';
import { checkMachoSignature } from './macho-signature.js';
import { parseModinfo } from './modinfo.js';
import { checkAuthenticode } from './pe-authenticode.js';
import { signatureProblems } from './signature-policy.js';
import type { ByteSource } from './source.js';
import { CachedSource, FileSource, FormatError, SliceSource } from './source.js';
import type { BuildInfoSummary, Signature, VerifyRequest, VerifyResult } from './types.js';

export type { BuildInfoSummary, Linkage, OsFloor, Signature, VerifyRequest, VerifyResult } from './types.js';
export type { Dependency, Module } from './modinfo.js';
export type { ByteSource } from './source.js';
export { BufferSource } from './source.js';

/** Verifies the file at `filePath`; throws only when the file cannot be opened or read. */
export async function verifyFile(filePath: string, req: VerifyRequest): Promise<VerifyResult> {
  return withFile(filePath, (src) => verifySource(src, req));
}

/**
 * The build info of every executable in the file, as verification reads it: one for a thin file, one
 * per slice (in file order) for a universal binary; null for one that records none. Throws a
 * FormatError when a container or build info is malformed.
 */
export async function readBuildInfos(filePath: string): Promise<(BuildInfoSummary | null)[]> {
  return withFile(filePath, readBuildInfosFrom);
}

/** readBuildInfos for bytes already at hand (a file in memory). */
export async function readBuildInfosFrom(src: ByteSource): Promise<(BuildInfoSummary | null)[]> {
  const container = await readContainer(src);
  if (container.kind !== 'fat') return [await summarize(src, container)];
  const infos: (BuildInfoSummary | null)[] = [];
  for (const s of container.slices) {
    const sub = new SliceSource(src, s.offset, s.size);
    infos.push(await summarize(sub, await readMacho(sub)));
  }
  return infos;
}

async function withFile<T>(filePath: string, use: (src: ByteSource) => Promise<T>): Promise<T> {
  const fh = await open(filePath, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${filePath} is not a regular file`);
    return await use(new CachedSource(new FileSource(fh, st.size)));
  } finally {
    await fh.close();
  }
}

/** The same verdict for any byte source; malformed input gives ok:false, never an exception. */
export async function verifySource(src: ByteSource, req: VerifyRequest): Promise<VerifyResult> {
  const exp = expectationFor(req.goos, req.goarch);
  let container: Container;
  try {
    container = await readContainer(src);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return unreadable(await sniff(src), e.message, exp);
  }
  if (container.kind === 'fat') return verifyFat(src, container.slices, req);
  return verifyThin(src, container, req, exp);
}

function unreadable(format: Format | null, message: string, exp: Expectation | string): VerifyResult {
  return {
    ...empty(format),
    problems: typeof exp === 'string' ? [message, exp] : [message],
  };
}

/** A failed verdict that knows nothing about the file but why it failed. */
export function failedVerdict(problem: string): VerifyResult {
  return { ...empty(null), problems: [problem] };
}

function empty(format: Format | null): VerifyResult {
  return {
    ok: false,
    format,
    bits: null,
    endian: null,
    machine: null,
    os: null,
    linkage: null,
    interpreter: null,
    needed: [],
    glibc: null,
    floor: null,
    buildinfo: null,
    signature: null,
    problems: [],
    notes: [],
  };
}

async function verifyThin(
  src: ByteSource,
  c: Thin,
  req: VerifyRequest,
  exp: Expectation | string,
): Promise<VerifyResult> {
  const id = identify(c);
  let buildinfo: BuildInfoSummary | null = null;
  try {
    buildinfo = await summarize(src, c);
  } catch (e) {
    // The headers were sound but the build info is not readable: that is the "no build info" verdict.
    if (!(e instanceof FormatError)) throw e;
  }
  const floor = effectiveFloor(id.floor, id.arch, buildinfo?.goVersion ?? null);
  const { problems, notes } = check(id, buildinfo, req, exp, floor);
  const signature = await signatureOf(src, c);
  if (c.kind === 'macho' || c.kind === 'pe')
    problems.push(...signatureProblems(signature, c.kind, req.goos, id.arch));
  return {
    ok: problems.length === 0,
    format: id.format,
    bits: id.bits,
    endian: id.endian,
    machine: id.arch,
    os: id.oses.length > 0 ? id.oses.join('|') : null,
    linkage: id.linkage,
    interpreter: id.interpreter,
    needed: id.needed,
    glibc: highestGlibc(id.glibc),
    floor,
    buildinfo,
    signature,
    problems,
    notes,
  };
}

/** The code signature of a Mach-O or PE file; null for formats that carry none. */
async function signatureOf(src: ByteSource, c: Thin): Promise<Signature | null> {
  if (c.kind === 'macho') return checkMachoSignature(src, c);
  if (c.kind === 'pe') return checkAuthenticode(src, c);
  return null;
}

async function summarize(src: ByteSource, c: Thin): Promise<BuildInfoSummary | null> {
  const raw = await readBuildInfo(src, places(c));
  if (!raw) return null;
  const mod = parseModinfo(raw.modinfo);
  return {
    goVersion: raw.goVersion,
    path: mod.path,
    module: mod.module,
    moduleVersion: mod.moduleVersion,
    moduleSum: mod.moduleSum,
    settings: mod.settings,
    deps: mod.deps,
  };
}

function places(c: Thin): BuildInfoPlaces {
  switch (c.kind) {
    case 'wasm':
      return { preferred: [], loaded: c.data, maps: [], knownVersion: c.goVersion };
    case 'plan9':
      return { preferred: c.data, loaded: c.data, maps: [] };
    default:
      return { preferred: c.buildinfo, loaded: c.loaded, maps: c.maps };
  }
}

/**
 * A universal binary: every slice is verified as its own Mach-O file. The slice of the requested GOARCH
 * gets the full request; the others are checked against the same GOOS with their own arch. With goarch
 * `universal`, every slice is checked that way and none is singled out.
 */
async function verifyFat(src: ByteSource, slices: FatSlice[], req: VerifyRequest): Promise<VerifyResult> {
  const results: VerifyResult[] = [];
  for (const s of slices) {
    const sub = new SliceSource(src, s.offset, s.size);
    let thin: MachoInfo;
    try {
      thin = await readMacho(sub);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      results.push({ ...empty('macho'), problems: [`slice at offset ${s.offset}: ${e.message}`] });
      continue;
    }
    const id = identify(thin);
    const own =
      id.arch === req.goarch
        ? req
        : { ...req, goarch: id.arch ?? `cputype 0x${s.cputype.toString(16)}`, variant: null };
    const r = await verifyThin(sub, thin, own, expectationFor(own.goos, own.goarch));
    if (thin.cputype !== s.cputype) {
      r.problems.push(
        `the universal header says cputype 0x${s.cputype.toString(16)} but the slice is 0x${thin.cputype.toString(16)}`,
      );
      r.ok = false;
    }
    results.push(r);
  }
  const machines = results.map((r) => r.machine ?? '?');
  const problems = results.flatMap((r, i) => r.problems.map((p) => `${machines[i]} slice: ${p}`));
  if (req.goarch !== 'universal' && !machines.includes(req.goarch)) {
    problems.unshift(`the universal binary has no ${req.goarch} slice (it holds ${machines.join(', ')})`);
  }
  const chosen = results[machines.indexOf(req.goarch)];
  const same = <K extends keyof VerifyResult>(k: K): VerifyResult[K] | null =>
    results.every((r) => r[k] === results[0]?.[k]) ? (results[0]?.[k] ?? null) : null;
  return {
    ok: problems.length === 0,
    format: 'macho-fat',
    bits: same('bits'),
    endian: same('endian'),
    machine: machines.join('+'),
    os: same('os'),
    linkage: results.some((r) => r.linkage === 'dynamic') ? 'dynamic' : same('linkage'),
    interpreter: same('interpreter'),
    needed: [...new Set(results.flatMap((r) => r.needed))],
    glibc: null,
    floor: highestFloor(results.map((r) => r.floor)),
    buildinfo: chosen?.buildinfo ?? null,
    signature: sliceSignatures(results),
    problems,
    notes: [...new Set(results.flatMap((r) => r.notes))],
    slices: results,
  };
}

/**
 * The signature line of a universal binary: the slices' one when they agree, else each slice's
 * (`amd64 none, arm64 adhoc`); its kind is the worst of theirs (invalid, then none).
 */
function sliceSignatures(results: VerifyResult[]): Signature | null {
  const sigs = results.map((r) => r.signature ?? null);
  const [first] = sigs;
  if (!first || sigs.some((s) => s === null)) return null;
  const all = sigs as Signature[];
  const worst = all.find((s) => s.kind === 'invalid') ?? all.find((s) => s.kind === 'none') ?? first;
  const same = all.every((s) => s.summary === first.summary);
  return {
    ...worst,
    summary: same
      ? first.summary
      : all.map((s, i) => `${results[i]?.machine ?? '?'} ${s.summary}`).join(', '),
  };
}
