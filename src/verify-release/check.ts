// The checks of a release's assets against its manifest and checksums.txt: one row per asset.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHECKSUMS_FILE } from '../package/checksums.js';
import type { ArtifactEntry, Manifest } from '../report/manifest.js';
import { variantRule } from '../targets/variants.js';
import type { VerifyRequest } from '../verify/index.js';
import { BufferSource, verifySource } from '../verify/index.js';
import { readContainer } from '../verify/container.js';
import { FormatError } from '../verify/source.js';
import { archiveKindOf, readArchive } from './archive.js';
import { sbomProblems } from './sbom.js';
import type { AssetRow } from './types.js';

/** What a release of `manifest` holds: each asset's name with its role and target. */
interface Expected {
  kind: 'shipped' | 'sbom' | 'checksums';
  artifact: ArtifactEntry | null;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A binary as shipped, on disk: what its SBOM is compared with. */
interface Binary {
  file: string;
  sha256: string;
}

/**
 * Checks every asset (name → its file) against the manifest: what it must hold, checksums.txt,
 * the binaries (archives opened) by the verifier, SBOMs against the binaries, the universal
 * binary's slices. One asset is in memory at a time; `workDir` receives the binaries taken out
 * of archives.
 */
export async function checkAssets(
  manifest: Manifest,
  assets: ReadonlyMap<string, string>,
  workDir: string,
): Promise<AssetRow[]> {
  const expected = expectedAssets(manifest);
  const checksumsFile = assets.get(CHECKSUMS_FILE);
  const checksums = checksumsFile === undefined ? null : readChecksums(await readFile(checksumsFile));
  await mkdir(path.join(workDir, 'binaries'), { recursive: true });
  const rows = new Map<string, AssetRow>();
  const row = (asset: string, target: string | null): AssetRow => {
    const known = rows.get(asset);
    if (known) return known;
    const made: AssetRow = {
      asset,
      target,
      checksum: '-',
      binary: '-',
      sbom: '-',
      slices: '-',
      problems: [],
      notes: [],
    };
    rows.set(asset, made);
    return made;
  };
  const binaries = new Map<ArtifactEntry, Binary>();
  for (const [name, want] of expected) {
    const r = row(name, want.artifact?.target ?? null);
    const file = assets.get(name);
    if (file === undefined) {
      r.problems.push(
        `missing: ${want.artifact ? `the manifest lists it for ${want.artifact.target}` : 'the manifest lists it'}, and it is not there`,
      );
      continue;
    }
    if (want.kind === 'checksums') continue;
    const bytes = await readFile(file);
    checkChecksum(r, bytes, checksums, want);
    if (want.kind === 'shipped' && want.artifact) {
      const binary = await checkShipped(r, file, bytes, want.artifact, { manifest, checksums, workDir });
      if (binary !== null) binaries.set(want.artifact, binary);
    }
  }
  for (const [name, want] of expected) {
    const file = assets.get(name);
    if (want.kind !== 'sbom' || want.artifact === null || file === undefined) continue;
    await checkSbom(row(name, want.artifact.target), file, want.artifact, binaries.get(want.artifact));
  }
  if (checksums !== null) {
    const inside = insideArchives(manifest);
    for (const name of checksums.keys()) {
      if (!expected.has(name) && !assets.has(name) && !inside.has(name))
        row(name, null).problems.push('missing: checksums.txt lists it, and it is not there');
    }
  }
  for (const name of assets.keys()) {
    if (!expected.has(name) && name !== 'manifest.json')
      row(name, null).notes.push('not made by this build (the manifest does not list it): not checked');
  }
  return [...rows.values()];
}

function expectedAssets(manifest: Manifest): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const a of manifest.artifacts.filter((x) => x.status === 'ok')) {
    const shipped = a.archive ?? a.path;
    if (shipped !== null) out.set(path.posix.basename(shipped), { kind: 'shipped', artifact: a });
    for (const s of a.sboms ?? []) out.set(path.posix.basename(s), { kind: 'sbom', artifact: a });
  }
  if (manifest.checksums !== null)
    out.set(path.posix.basename(manifest.checksums), { kind: 'checksums', artifact: null });
  return out;
}

/** The binaries shipped inside archives, which checksums.txt lists too (under their own names). */
function insideArchives(manifest: Manifest): Set<string> {
  return new Set(
    manifest.artifacts.flatMap((a) =>
      a.status === 'ok' && a.archive !== null && a.path !== null ? [path.posix.basename(a.path)] : [],
    ),
  );
}

/** checksums.txt as name → sha256. */
function readChecksums(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of bytes.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) out.set(m[2] as string, m[1] as string);
  }
  return out;
}

function checkChecksum(
  r: AssetRow,
  bytes: Buffer,
  checksums: Map<string, string> | null,
  want: Expected,
): void {
  const actual = sha256(bytes);
  const problems: string[] = [];
  const listed = checksums?.get(r.asset);
  if (checksums !== null && listed === undefined) problems.push('checksums.txt does not list it');
  else if (listed !== undefined && listed !== actual)
    problems.push(`its sha256 is ${actual}, checksums.txt says ${listed}`);
  const a = want.artifact;
  const recorded = want.kind === 'shipped' && a ? (a.archive !== null ? a.archiveSha256 : a.sha256) : null;
  if (recorded !== null && recorded !== actual)
    problems.push(`its sha256 is ${actual}, the manifest says ${recorded}`);
  if (listed === undefined && recorded === null) return;
  r.checksum = problems.length === 0 ? 'ok' : 'FAILED';
  r.problems.push(...problems);
}

interface ShippedContext {
  manifest: Manifest;
  checksums: Map<string, string> | null;
  workDir: string;
}

/** Verifies the binary the asset ships (inside its archive); returns the binary on disk when it could be read. */
async function checkShipped(
  r: AssetRow,
  file: string,
  bytes: Buffer,
  a: ArtifactEntry,
  ctx: ShippedContext,
): Promise<Binary | null> {
  let binary = bytes;
  let binaryFile = file;
  const kind = archiveKindOf(r.asset);
  if (a.archive !== null && kind !== null) {
    try {
      const [first] = await readArchive(kind, bytes, ctx.workDir);
      if (first === undefined) throw new Error('it holds no file');
      binary = first.bytes;
      binaryFile = path.join(ctx.workDir, 'binaries', path.posix.basename(a.path ?? r.asset));
      await writeFile(binaryFile, binary);
    } catch (err) {
      r.binary = 'FAILED';
      r.problems.push(`cannot be opened as ${kind}: ${(err as Error).message}`);
      return null;
    }
  }
  const problems: string[] = [];
  const actual = sha256(binary);
  const inside = a.archive !== null ? 'inside ' : '';
  if (a.sha256 !== null && actual !== a.sha256)
    problems.push(
      `the binary ${inside}is not the one built for ${a.target}: its sha256 is ${actual}, the manifest says ${a.sha256}`,
    );
  // checksums.txt lists an archived binary under its own name, for a user who unpacked it.
  const listed =
    a.archive !== null && a.path !== null ? ctx.checksums?.get(path.posix.basename(a.path)) : undefined;
  if (listed !== undefined && listed !== actual)
    problems.push(
      `the binary inside has sha256 ${actual}, checksums.txt says ${listed} for ${path.posix.basename(a.path ?? '')}`,
    );
  const verdict = await verifySource(new BufferSource(binary), requestFor(a));
  if (!verdict.ok) problems.push(`the binary is not ${a.target}: ${verdict.problems.join('; ')}`);
  r.binary = problems.length === 0 ? 'ok' : 'FAILED';
  r.problems.push(...problems);
  if (a.goarch === 'universal')
    await checkSlices(r, binary, verdict.slices?.map((s) => s.machine) ?? [], ctx.manifest);
  return { file: binaryFile, sha256: actual };
}

/** The target as the manifest records it; the policy bounds (glibc, OS floors) were the build's to check. */
function requestFor(a: ArtifactEntry): VerifyRequest {
  const variable = variantRule(a.goarch)?.variable;
  const value = variable === undefined ? undefined : a.env[variable];
  return {
    goos: a.goos,
    goarch: a.goarch,
    variant: variable !== undefined && value ? { name: variable, value } : null,
    cgoEnabled: a.env.CGO_ENABLED === '1' ? '1' : '0',
    linkage: 'any',
    maxGlibc: null,
    settingsAre: 'flags',
  };
}

/** Each slice of the universal binary is, byte for byte, a darwin binary of the same build. */
async function checkSlices(
  r: AssetRow,
  binary: Buffer,
  machines: (string | null)[],
  manifest: Manifest,
): Promise<void> {
  let container;
  try {
    container = await readContainer(new BufferSource(binary));
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    container = null;
  }
  if (container?.kind !== 'fat') {
    r.slices = 'FAILED';
    r.problems.push('it is not a universal binary');
    return;
  }
  const thin = new Map(
    manifest.artifacts
      .filter(
        (a) => a.status === 'ok' && a.goos === 'darwin' && a.goarch !== 'universal' && a.sha256 !== null,
      )
      .map((a) => [a.sha256 as string, a.target]),
  );
  const problems = container.slices.flatMap((s, i) => {
    const arch = machines[i] ?? `cputype 0x${s.cputype.toString(16)}`;
    const target = thin.get(sha256(binary.subarray(s.offset, s.offset + s.size)));
    return target === `darwin/${arch}` || target?.startsWith(`darwin/${arch}/`) === true
      ? []
      : [`its ${arch} slice is ${target ? `the ${target} binary` : 'no darwin binary of this build'}`];
  });
  r.slices = problems.length === 0 ? 'ok' : 'FAILED';
  r.problems.push(...problems);
}

async function checkSbom(
  r: AssetRow,
  file: string,
  a: ArtifactEntry,
  binary: Binary | undefined,
): Promise<void> {
  if (binary === undefined || a.path === null) {
    r.notes.push(`not compared: the ${a.target} binary could not be read (see its row)`);
    return;
  }
  const problems = await sbomProblems(await readFile(file, 'utf8'), {
    file: binary.file,
    name: path.posix.basename(a.path),
    target: a.target,
    sha256: binary.sha256,
  });
  r.sbom = problems.length === 0 ? 'ok' : 'FAILED';
  r.problems.push(...problems.map((p) => `the SBOM does not describe the ${a.target} binary: ${p}`));
}
