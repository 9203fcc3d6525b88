// Hostile signatures, one per refusal of the signature checks: each is a real signed file (Go's ad hoc
// darwin/arm64 output, sentry-cli's Developer ID arm64 slice, an osslsigncode-signed Go PE) with the one
// structure that refusal is about rewritten, and each must come back as an `invalid` verdict with that
// refusal's reason, never an exception.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { children, tlv } from '../../src/verify/der.js';
import type { VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { readPe } from '../../src/verify/pe.js';
import { toolchain } from '../support/toolchains.js';
import { buildFixtures } from './fixtures.js';
import { SENTRY, npmBinary, signPe, signatureRange } from './signing.js';

const req = (goos: string, goarch: string): VerifyRequest => ({
  goos,
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
});
const darwinArm64 = req('darwin', 'arm64');
const windowsAmd64 = req('windows', 'amd64');

/** The same fixture builds signature.test.ts reads (cached in the suite's fixture directory). */
async function built(release: '1.26' | '1.27', goos: string, goarch: string): Promise<Buffer> {
  const name = `${goos}-${goarch}`;
  const out = await buildFixtures(toolchain(release), [{ name, goos, goarch }]);
  const b = out.get(name);
  if (!b?.path) throw new Error(`${release} ${name} did not build: ${b?.error ?? '?'}`);
  return readFile(b.path);
}

const verify = (bytes: Buffer, r: VerifyRequest): Promise<VerifyResult> =>
  verifySource(new BufferSource(bytes), r);

/** The verdict must be `invalid (summary)` with exactly `reason`, and fail the file. */
function expectRefused(r: VerifyResult, summary: string, reason: string): void {
  expect(r.signature).toMatchObject({ kind: 'invalid', summary: `invalid (${summary})`, reason });
  expect(r.ok).toBe(false);
  expect(r.problems).toEqual(expect.arrayContaining([expect.stringContaining(reason)]));
}

// --- Mach-O SuperBlob rewriting -------------------------------------------------------------------

interface Blob {
  type: number;
  bytes: Buffer;
}

const CODEDIRECTORY_MAGIC = 0xfade0c02;
const BLOBWRAPPER_MAGIC = 0xfade0b01;
const SLOT_CMS = 0x10000;
const LC_CODE_SIGNATURE = 0x1d;

function sigRange(macho: Buffer): { offset: number; size: number } {
  const sig = signatureRange(macho);
  if (!sig) throw new Error('no LC_CODE_SIGNATURE');
  return sig;
}

/** The blobs of a thin Mach-O's SuperBlob, copied out. */
function blobsOf(macho: Buffer): Blob[] {
  const { offset } = sigRange(macho);
  const out: Blob[] = [];
  for (let i = 0; i < macho.readUInt32BE(offset + 8); i++) {
    const at = offset + macho.readUInt32BE(offset + 16 + i * 8);
    const size = macho.readUInt32BE(at + 4);
    out.push({
      type: macho.readUInt32BE(offset + 12 + i * 8),
      bytes: Buffer.from(macho.subarray(at, at + size)),
    });
  }
  return out;
}

/** Byte offset of LC_CODE_SIGNATURE's load command. */
function signatureCommand(macho: Buffer): number {
  for (let i = 0, at = 32; i < macho.readUInt32LE(16); i++) {
    if (macho.readUInt32LE(at) === LC_CODE_SIGNATURE) return at;
    at += macho.readUInt32LE(at + 4);
  }
  throw new Error('no LC_CODE_SIGNATURE');
}

/**
 * `macho` with its SuperBlob replaced by one of `blobs`: in place (zero-padded) when it fits the space
 * LC_CODE_SIGNATURE gives it, else at the same offset with the file and datasize grown to hold it. The
 * signed pages end where the signature starts, so they still match.
 */
function withBlobs(macho: Buffer, original: Blob[]): Buffer {
  const { offset, size } = sigRange(macho);
  const head = 12 + original.length * 8;
  const length = head + original.reduce((n, b) => n + b.bytes.length, 0);
  const prefix = Buffer.from(macho.subarray(0, offset));
  let blobs = original;
  if (length > size) {
    // A grown datasize changes page 0 (the load commands): re-hash it in every CodeDirectory, as the
    // signer would have.
    prefix.writeUInt32LE(length, signatureCommand(prefix) + 12);
    blobs = original.map((b) => (isDirectory(b) ? { type: b.type, bytes: rehashPage0(b.bytes, prefix) } : b));
  }
  const superBlob = Buffer.alloc(Math.max(size, length));
  superBlob.writeUInt32BE(0xfade0cc0, 0);
  superBlob.writeUInt32BE(length, 4);
  superBlob.writeUInt32BE(blobs.length, 8);
  let at = head;
  blobs.forEach((b, i) => {
    superBlob.writeUInt32BE(b.type, 12 + i * 8);
    superBlob.writeUInt32BE(at, 16 + i * 8);
    b.bytes.copy(superBlob, at);
    at += b.bytes.length;
  });
  return Buffer.concat([prefix, superBlob, macho.subarray(offset + size)]);
}

/** The CodeDirectory `cd` with its first page hash made that of `signed`'s first page. */
function rehashPage0(cd: Buffer, signed: Buffer): Buffer {
  const out = Buffer.from(cd);
  const hashSize = out[36] as number;
  const algorithm = { 1: 'sha1', 2: 'sha256', 3: 'sha256', 4: 'sha384' }[out[37] as number];
  if (!algorithm) throw new Error('unknown hash type');
  const page = 2 ** (out[39] as number);
  createHash(algorithm)
    .update(signed.subarray(0, Math.min(page, signed.length)))
    .digest()
    .copy(out, out.readUInt32BE(16), 0, hashSize);
  return out;
}

/** A CodeDirectory's identifier, and the blob with it replaced by one of the same length. */
function identifier(cd: Buffer): string {
  const at = cd.readUInt32BE(20);
  return cd.toString('latin1', at, cd.indexOf(0, at));
}

function withIdentifier(cd: Buffer, id: string): Buffer {
  if (id.length !== identifier(cd).length) throw new Error('identifier length differs');
  const out = Buffer.from(cd);
  out.write(id, out.readUInt32BE(20), 'latin1');
  return out;
}

function withFlags(cd: Buffer, edit: (flags: number) => number): Buffer {
  const out = Buffer.from(cd);
  out.writeUInt32BE(edit(out.readUInt32BE(12)) >>> 0, 12);
  return out;
}

const isDirectory = (b: Blob): boolean => b.type === 0 || (b.type >= 0x1000 && b.type <= 0x1004);

// --- DER rewriting of the CMS SignedData --------------------------------------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const der = (tag: number, ...body: Buffer[]): Buffer => {
  const content = Buffer.concat(body);
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
};

/**
 * The ContentInfo `signed` (a DER SignedData, possibly followed by padding) rebuilt with its signer
 * infos (the SET that ends the SignedData, as DER values) replaced by what `edit` returns.
 */
function withSigners(signed: Buffer, edit: (signers: Buffer[]) => Buffer[]): Buffer {
  const raw = (t: { start: number; end: number }): Buffer => signed.subarray(t.start, t.end);
  const contentInfo = tlv(signed, 0);
  const [type, wrapped] = children(signed, contentInfo);
  if (!type || !wrapped) throw new Error('not a ContentInfo');
  const signedData = children(signed, wrapped)[0];
  if (!signedData) throw new Error('no SignedData');
  const fields = children(signed, signedData);
  const signerInfos = fields.at(-1);
  if (signerInfos?.tag !== 0x31) throw new Error('no signer infos');
  const signers = edit(children(signed, signerInfos).map(raw));
  return der(0x30, raw(type), der(0xa0, der(0x30, ...fields.slice(0, -1).map(raw), der(0x31, ...signers))));
}

/** A SignerInfo without its [0] signed attributes, as a signer that signs the content directly has. */
function withoutSignedAttributes(signer: Buffer): Buffer {
  const fields = children(signer, tlv(signer, 0));
  expect(fields.filter((f) => f.tag === 0xa0)).toHaveLength(1);
  return der(0x30, ...fields.filter((f) => f.tag !== 0xa0).map((f) => signer.subarray(f.start, f.end)));
}

const CMS_EDITS: [string, (signers: Buffer[]) => Buffer[], string, string][] = [
  ['no SignerInfo', () => [], 'signers', 'the SignedData must have exactly one signer'],
  ['two SignerInfos', (s) => [...s, ...s], 'signers', 'the SignedData must have exactly one signer'],
  [
    'a SignerInfo without signed attributes',
    (s) => s.map(withoutSignedAttributes),
    'no signed attributes',
    'the signer has no signed attributes',
  ],
];

// --- the Mach-O refusals --------------------------------------------------------------------------

describe('Mach-O signatures that are refused', () => {
  let go: Buffer;
  let sentry: Buffer;
  beforeAll(async () => {
    go = await built('1.26', 'darwin', 'arm64');
    const fat = await readFile(await npmBinary(SENTRY));
    // The arm64 slice is the second fat_arch (as signature.test.ts reads it).
    const offset = fat.readUInt32BE(8 + 20 + 8);
    sentry = Buffer.from(fat.subarray(offset, offset + fat.readUInt32BE(8 + 20 + 12)));
  });

  it('both originals verify, so each refusal below is the edit alone', async () => {
    expect((await verify(go, darwinArm64)).signature?.kind).toBe('adhoc');
    expect((await verify(sentry, darwinArm64)).signature?.kind).toBe('developer-id');
    // Rewriting the SuperBlob unchanged, in place, keeps it valid (a grown one: see the CodeDirectory test).
    expect((await verify(withBlobs(go, blobsOf(go)), darwinArm64)).signature?.kind).toBe('adhoc');
    expect((await verify(withBlobs(sentry, blobsOf(sentry)), darwinArm64)).signature?.kind).toBe(
      'developer-id',
    );
  });

  it('an LC_CODE_SIGNATURE that claims more than 16 MiB (far past the file end) is not read', async () => {
    const claim = 16 * 1024 * 1024 + 1;
    const bad = Buffer.from(go);
    bad.writeUInt32LE(claim, signatureCommand(bad) + 12);
    expect(claim).toBeGreaterThan(bad.length);
    expectRefused(await verify(bad, darwinArm64), 'unreadable', `LC_CODE_SIGNATURE claims ${claim} bytes`);
  });

  it('a smaller overrun of the file end is unreadable too, found by the read', async () => {
    const bad = Buffer.from(go);
    bad.writeUInt32LE(sigRange(go).size + 4096, signatureCommand(bad) + 12);
    const r = await verify(bad, darwinArm64);
    expect(r.signature).toMatchObject({ kind: 'invalid', summary: 'invalid (unreadable)' });
    expect(r.signature?.reason).toMatch(/^the code signature is unreadable: /);
  });

  it('a second CodeDirectory with another identifier disagrees with the first', async () => {
    const blobs = blobsOf(go);
    const cd = blobs.find((b) => b.type === 0);
    if (!cd) throw new Error('no CodeDirectory');
    expect(blobs.filter(isDirectory)).toHaveLength(1);
    expect(identifier(cd.bytes)).toBe('a.out');
    // The alternate (slot 0x1000) hashes the same pages, so each CodeDirectory holds on its own.
    const same = withBlobs(go, [...blobs, { type: 0x1000, bytes: cd.bytes }]);
    expect((await verify(same, darwinArm64)).signature?.kind).toBe('adhoc');
    const bad = withBlobs(go, [...blobs, { type: 0x1000, bytes: withIdentifier(cd.bytes, 'b.out') }]);
    expectRefused(
      await verify(bad, darwinArm64),
      'CodeDirectories disagree',
      'the CodeDirectories name different identifiers, teams or flags',
    );
  });

  it('a second CodeDirectory with other flags disagrees too', async () => {
    const blobs = blobsOf(go);
    const cd = blobs.find((b) => b.type === 0);
    if (!cd) throw new Error('no CodeDirectory');
    const bad = withBlobs(go, [...blobs, { type: 0x1000, bytes: withFlags(cd.bytes, (f) => f | 0x10000) }]);
    expect((await verify(bad, darwinArm64)).signature?.summary).toBe('invalid (CodeDirectories disagree)');
  });

  it('a CMS slot without a blob wrapper is refused, naming its magic', async () => {
    const blobs = blobsOf(sentry).map((b) => {
      if (b.type !== SLOT_CMS) return b;
      expect(b.bytes.readUInt32BE(0)).toBe(BLOBWRAPPER_MAGIC);
      const bytes = Buffer.from(b.bytes);
      bytes.writeUInt32BE(CODEDIRECTORY_MAGIC, 0);
      return { type: b.type, bytes };
    });
    expectRefused(
      await verify(withBlobs(sentry, blobs), darwinArm64),
      'bad CMS blob',
      'the CMS signature slot holds no blob wrapper (magic 0xfade0c02)',
    );
  });

  it('an ad hoc flag (0x2) on a CodeDirectory that carries a CMS signature is refused', async () => {
    const blobs = blobsOf(sentry).map((b) =>
      isDirectory(b) ? { type: b.type, bytes: withFlags(b.bytes, (f) => f | 0x2) } : b,
    );
    expect(blobs.some((b) => b.type === SLOT_CMS && b.bytes.length > 8)).toBe(true);
    expectRefused(
      await verify(withBlobs(sentry, blobs), darwinArm64),
      'ad hoc with a CMS signature',
      'the CodeDirectory is flagged ad hoc (0x2) but carries a CMS signature',
    );
  });

  it("Go's ad hoc CodeDirectory with the ad hoc flag cleared has no CMS signature to stand on", async () => {
    const blobs = blobsOf(go);
    const flags = blobs.find((b) => b.type === 0)?.bytes.readUInt32BE(12) ?? 0;
    expect(flags & 0x2).toBe(0x2);
    const cleared = blobs.map((b) =>
      isDirectory(b) ? { type: b.type, bytes: withFlags(b.bytes, (f) => f & ~0x2) } : b,
    );
    expectRefused(
      await verify(withBlobs(go, cleared), darwinArm64),
      'no CMS signature',
      `the CodeDirectory is not flagged ad hoc (flags 0x${(flags & ~0x2).toString(16)}) but carries no CMS signature`,
    );
  });

  it('a Developer ID CodeDirectory whose CMS blob is removed, or emptied, is refused', async () => {
    const blobs = blobsOf(sentry);
    const flags = blobs.find((b) => b.type === 0)?.bytes.readUInt32BE(12) ?? 0;
    const reason = `the CodeDirectory is not flagged ad hoc (flags 0x${flags.toString(16)}) but carries no CMS signature`;
    const removed = blobs.filter((b) => b.type !== SLOT_CMS);
    expectRefused(await verify(withBlobs(sentry, removed), darwinArm64), 'no CMS signature', reason);
    const empty = Buffer.alloc(8);
    empty.writeUInt32BE(BLOBWRAPPER_MAGIC, 0);
    empty.writeUInt32BE(8, 4);
    const emptied = blobs.map((b) => (b.type === SLOT_CMS ? { type: b.type, bytes: empty } : b));
    expectRefused(await verify(withBlobs(sentry, emptied), darwinArm64), 'no CMS signature', reason);
  });

  it.each(CMS_EDITS)('a CMS signature with %s is refused', async (_, edit, summary, reason) => {
    const blobs = blobsOf(sentry).map((b) => {
      if (b.type !== SLOT_CMS) return b;
      const signed = withSigners(b.bytes.subarray(8), edit);
      const header = Buffer.alloc(8);
      header.writeUInt32BE(BLOBWRAPPER_MAGIC, 0);
      header.writeUInt32BE(8 + signed.length, 4);
      return { type: b.type, bytes: Buffer.concat([header, signed]) };
    });
    expectRefused(await verify(withBlobs(sentry, blobs), darwinArm64), summary, reason);
  });

  it('the CMS rewriting alone keeps the signature valid', async () => {
    const blobs = blobsOf(sentry).map((b) => {
      if (b.type !== SLOT_CMS) return b;
      const signed = withSigners(b.bytes.subarray(8), (s) => s);
      const header = Buffer.alloc(8);
      header.writeUInt32BE(BLOBWRAPPER_MAGIC, 0);
      header.writeUInt32BE(8 + signed.length, 4);
      return { type: b.type, bytes: Buffer.concat([header, signed]) };
    });
    expect((await verify(withBlobs(sentry, blobs), darwinArm64)).signature?.kind).toBe('developer-id');
  });
});

// --- the PE refusals ------------------------------------------------------------------------------

describe('Authenticode signatures that are refused', () => {
  let signed: Buffer;
  beforeAll(async () => {
    signed = await signPe(await built('1.27', 'windows', 'amd64'));
  });

  /** The certificate table's file range and the offset of its data directory entry. */
  async function table(pe: Buffer): Promise<{ offset: number; size: number; entryAt: number }> {
    const { authenticode } = await readPe(new BufferSource(pe));
    if (!authenticode.table || authenticode.entryAt === null) throw new Error('no certificate table');
    return { ...authenticode.table, entryAt: authenticode.entryAt };
  }

  /** `pe` with its certificate table (the last thing in the file) replaced by one WIN_CERTIFICATE of `der`. */
  async function withCertificate(pe: Buffer, der: Buffer): Promise<Buffer> {
    const t = await table(pe);
    const cert = Buffer.alloc(8 + der.length + ((8 - (der.length % 8)) % 8));
    cert.writeUInt32LE(8 + der.length, 0);
    cert.writeUInt16LE(0x0200, 4);
    cert.writeUInt16LE(2, 6);
    der.copy(cert, 8);
    const out = Buffer.concat([pe.subarray(0, t.offset), cert]);
    out.writeUInt32LE(cert.length, t.entryAt + 4);
    return out;
  }

  async function certificateDer(pe: Buffer): Promise<Buffer> {
    const t = await table(pe);
    return pe.subarray(t.offset + 8, t.offset + pe.readUInt32LE(t.offset));
  }

  it.each(CMS_EDITS)('a SignedData with %s is refused', async (_, edit, summary, reason) => {
    const bad = await withCertificate(signed, withSigners(await certificateDer(signed), edit));
    expectRefused(await verify(bad, windowsAmd64), summary, reason);
  });

  it('the WIN_CERTIFICATE rewriting alone keeps the signature valid', async () => {
    const same = await withCertificate(
      signed,
      withSigners(await certificateDer(signed), (s) => s),
    );
    expect((await verify(same, windowsAmd64)).signature?.kind).toBe('authenticode');
  });

  it('a certificate table that holds the PE headers (they lie inside the signed range) is refused', async () => {
    // Move the headers and sections up by a file-aligned gap after the MS-DOS header, and put the
    // WIN_CERTIFICATE there: the table then runs from offset 64 to the end, over the headers.
    const t = await table(signed);
    const der = await certificateDer(signed);
    const lfanew = signed.readUInt32LE(0x3c);
    const optAt = lfanew + 24;
    const gap = Math.ceil((8 + der.length) / 512) * 512;
    const cert = Buffer.alloc(gap);
    cert.writeUInt32LE(8 + der.length, 0);
    cert.writeUInt16LE(0x0200, 4);
    cert.writeUInt16LE(2, 6);
    der.copy(cert, 8);
    const out = Buffer.concat([signed.subarray(0, 64), cert, signed.subarray(64, t.offset)]);
    out.writeUInt32LE(lfanew + gap, 0x3c);
    const at = (n: number): number => n + gap;
    const coff = at(lfanew) + 4;
    const symbols = out.readUInt32LE(coff + 8);
    if (symbols !== 0) out.writeUInt32LE(symbols + gap, coff + 8);
    const opt = at(optAt);
    out.writeUInt32LE(out.readUInt32LE(opt + 60) + gap, opt + 60); // SizeOfHeaders
    const sections = opt + out.readUInt16LE(coff + 16);
    for (let i = 0; i < out.readUInt16LE(coff + 2); i++) {
      const raw = sections + i * 40 + 20;
      if (out.readUInt32LE(raw) !== 0) out.writeUInt32LE(out.readUInt32LE(raw) + gap, raw);
    }
    const entryAt = at(t.entryAt);
    out.writeUInt32LE(64, entryAt);
    out.writeUInt32LE(out.length - 64, entryAt + 4);
    const moved = await readPe(new BufferSource(out));
    expect(moved.authenticode).toMatchObject({ entryAt, table: { offset: 64, size: out.length - 64 } });
    const r = await verify(out, windowsAmd64);
    expectRefused(r, 'unreadable', 'the PE headers overlap the certificate table');
    // The rest of the file still reads as the Go program it is.
    expect(r.buildinfo?.settings.GOOS).toBe('windows');
  });
});
