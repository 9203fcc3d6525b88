// Mach-O code signature check: LC_CODE_SIGNATURE → SuperBlob → every CodeDirectory, whose page hashes must
// match the file's bytes (Apple's <Security/CSCommonPriv.h>, xnu's cs_blobs.h; every field big-endian).
// The kernel on Apple Silicon kills a process whose pages do not match, so this re-does its arithmetic.
import { createHash } from 'node:crypto';
import { View } from './binary.js';
import { checkMessageDigest, signedDataFields } from './cms.js';
import type { MachoInfo } from './macho.js';
import type { ByteSource } from './source.js';
import { InvalidSignature, NO_SIGNATURE, judged } from './signature.js';
import { readAt } from './source.js';
import type { Signature } from './types.js';

const SUPERBLOB = 0xfade0cc0;
const CODEDIRECTORY = 0xfade0c02;
const BLOBWRAPPER = 0xfade0b01;
/** Slot types: the CodeDirectory, alternate CodeDirectories (one per extra hash type), the CMS signature. */
const SLOT_CODEDIRECTORY = 0;
const SLOT_ALTERNATE_FIRST = 0x1000;
const SLOT_ALTERNATE_LAST = 0x1004;
const SLOT_CMS = 0x10000;
const CS_ADHOC = 0x2;
/** Special slots that hash a blob of the same SuperBlob (requirements, entitlements …): 1 and 3 hash
 *  files of an app bundle (Info.plist, resources), which a lone executable does not have. */
const BUNDLE_SLOTS = new Set([1, 3]);
/** A signature is a few KiB per MiB of code; past this it is not one. */
const MAX_SIGNATURE = 16 * 1024 * 1024;
const MAX_BLOBS = 64;
/** How much of the file one read hashes. */
const CHUNK = 1024 * 1024;

/** cs_blobs.h hash types: the digest and how many of its bytes a slot keeps. */
const HASH_TYPES: Record<number, { name: string; algorithm: string; size: number }> = {
  1: { name: 'sha1', algorithm: 'sha1', size: 20 },
  2: { name: 'sha256', algorithm: 'sha256', size: 32 },
  3: { name: 'sha256-truncated', algorithm: 'sha256', size: 20 },
  4: { name: 'sha384', algorithm: 'sha384', size: 48 },
};

interface Blob {
  type: number;
  bytes: Buffer;
}

interface Directory {
  flags: number;
  identifier: string;
  team: string | null;
  hash: string;
}

/** The verdict on the signature of one thin Mach-O (a whole file or one slice); never throws on bad bytes. */
export async function checkMachoSignature(src: ByteSource, m: MachoInfo): Promise<Signature> {
  const at = m.codeSignature;
  if (at === null) return NO_SIGNATURE;
  return judged('the code signature', () => check(src, at));
}

async function check(src: ByteSource, at: { offset: number; size: number }): Promise<Signature> {
  if (at.size > MAX_SIGNATURE)
    throw new InvalidSignature('unreadable', `LC_CODE_SIGNATURE claims ${at.size} bytes`);
  const data = await readAt(src, at.offset, at.size, 'the code signature (LC_CODE_SIGNATURE)');
  const blobs = superBlob(data);
  const directories = blobs.filter(
    (b) => b.type === SLOT_CODEDIRECTORY || (b.type >= SLOT_ALTERNATE_FIRST && b.type <= SLOT_ALTERNATE_LAST),
  );
  if (directories.length === 0)
    throw new InvalidSignature('no CodeDirectory', 'the code signature holds no CodeDirectory');
  const read: Directory[] = [];
  for (const d of directories) read.push(await codeDirectory(src, d, blobs, at.offset));
  const [first] = read as [Directory, ...Directory[]];
  for (const d of read) {
    if (d.identifier !== first.identifier || d.flags !== first.flags || d.team !== first.team)
      throw new InvalidSignature(
        'CodeDirectories disagree',
        'the CodeDirectories name different identifiers, teams or flags',
      );
  }
  const cms = blobs.find((b) => b.type === SLOT_CMS);
  if (cms !== undefined && (cms.bytes.length < 8 || cms.bytes.readUInt32BE(0) !== BLOBWRAPPER))
    throw new InvalidSignature(
      'bad CMS blob',
      `the CMS signature slot holds no blob wrapper (magic 0x${magic(cms.bytes)})`,
    );
  const signed = cms !== undefined && cms.bytes.length > 8;
  const base = {
    identifier: first.identifier,
    team: first.team,
    hash: read.map((d) => d.hash).join('+'),
    reason: null,
  };
  if ((first.flags & CS_ADHOC) !== 0) {
    if (signed)
      throw new InvalidSignature(
        'ad hoc with a CMS signature',
        'the CodeDirectory is flagged ad hoc (0x2) but carries a CMS signature',
      );
    return { ...base, kind: 'adhoc', summary: 'adhoc' };
  }
  if (!signed) {
    throw new InvalidSignature(
      'no CMS signature',
      `the CodeDirectory is not flagged ad hoc (flags 0x${first.flags.toString(16)}) but carries no CMS signature`,
    );
  }
  // The CMS signature is detached: its messageDigest is the digest of the primary CodeDirectory's bytes.
  const primary = directories.find((d) => d.type === SLOT_CODEDIRECTORY) ?? directories[0];
  const der = cms.bytes.subarray(8);
  if (primary) checkMessageDigest(der, signedDataFields(der), primary.bytes, 'the CodeDirectory');
  return first.team === null
    ? { ...base, kind: 'signed', summary: 'signed (no team identifier)' }
    : { ...base, kind: 'developer-id', summary: `developer-id (team ${first.team})` };
}

function magic(b: Buffer): string {
  return b.length >= 4 ? b.readUInt32BE(0).toString(16) : '?';
}

/** The SuperBlob's index: every blob's type and bytes, each checked to lie inside it. */
function superBlob(data: Buffer): Blob[] {
  const v = new View(data, 'big', 'the code signature SuperBlob');
  if (v.u32(0) !== SUPERBLOB)
    throw new InvalidSignature(
      'no SuperBlob',
      `the code signature does not start with a SuperBlob (magic 0x${magic(data)})`,
    );
  const length = v.u32(4);
  const count = v.u32(8);
  if (length < 12 || length > data.length)
    throw new InvalidSignature(
      'bad SuperBlob',
      `the SuperBlob claims ${length} bytes of the ${data.length} LC_CODE_SIGNATURE holds`,
    );
  if (count > MAX_BLOBS || 12 + count * 8 > length)
    throw new InvalidSignature('bad SuperBlob', `the SuperBlob claims ${count} blobs`);
  const blobs: Blob[] = [];
  for (let i = 0; i < count; i++) {
    const type = v.u32(12 + i * 8);
    const offset = v.u32(16 + i * 8);
    if (offset < 12 + count * 8 || offset + 8 > length)
      throw new InvalidSignature(
        'bad SuperBlob',
        `blob ${i} of the SuperBlob lies outside it (offset ${offset})`,
      );
    const size = v.u32(offset + 4);
    if (size < 8 || offset + size > length)
      throw new InvalidSignature(
        'bad SuperBlob',
        `blob ${i} of the SuperBlob runs past it (${size} bytes at ${offset})`,
      );
    blobs.push({ type, bytes: data.subarray(offset, offset + size) });
  }
  return blobs;
}

/** Checks one CodeDirectory: its fields, its special slots against the other blobs, and every page. */
async function codeDirectory(
  src: ByteSource,
  blob: Blob,
  blobs: Blob[],
  signatureAt: number,
): Promise<Directory> {
  const cd = blob.bytes;
  const v = new View(cd, 'big', 'the CodeDirectory');
  if (v.u32(0) !== CODEDIRECTORY)
    throw new InvalidSignature(
      'bad CodeDirectory',
      `slot 0x${blob.type.toString(16)} holds no CodeDirectory (magic 0x${magic(cd)})`,
    );
  const version = v.u32(8);
  const flags = v.u32(12);
  const hashOffset = v.u32(16);
  const identOffset = v.u32(20);
  const nSpecialSlots = v.u32(24);
  const nCodeSlots = v.u32(28);
  const hashSize = v.u8(36);
  const hashType = v.u8(37);
  const pageShift = v.u8(39);
  const scatterOffset = version >= 0x20100 ? v.u32(44) : 0;
  const teamOffset = version >= 0x20200 ? v.u32(48) : 0;
  const codeLimit64 = version >= 0x20300 ? v.u64(56) : 0;
  const codeLimit = codeLimit64 !== 0 ? codeLimit64 : v.u32(32);
  const spec = HASH_TYPES[hashType];
  if (!spec || spec.size !== hashSize)
    throw new InvalidSignature(
      'unknown hash',
      `the CodeDirectory names hash type ${hashType} with ${hashSize}-byte hashes`,
    );
  if (scatterOffset !== 0)
    throw new InvalidSignature(
      'scatter',
      'the CodeDirectory hashes a scatter list, which no executable uses and this check does not read',
    );
  if (pageShift !== 0 && (pageShift < 9 || pageShift > 24))
    throw new InvalidSignature('bad page size', `the CodeDirectory names pages of 2^${pageShift} bytes`);
  const headerEnd = version >= 0x20400 ? 88 : version >= 0x20300 ? 64 : version >= 0x20200 ? 52 : 48;
  if (hashOffset < headerEnd + nSpecialSlots * hashSize || hashOffset + nCodeSlots * hashSize > cd.length)
    throw new InvalidSignature(
      'bad CodeDirectory',
      `the CodeDirectory's ${nSpecialSlots}+${nCodeSlots} hashes at ${hashOffset} do not fit its ${cd.length} bytes`,
    );
  const identifier = text(cd, identOffset, 'identifier');
  const team = teamOffset === 0 ? null : text(cd, teamOffset, 'team identifier');
  if (codeLimit !== signatureAt) {
    throw new InvalidSignature(
      'code limit',
      `the CodeDirectory covers the first ${codeLimit} bytes but the signature starts at ${signatureAt}: the bytes between are not signed`,
    );
  }
  const page = pageShift === 0 ? codeLimit : 2 ** pageShift;
  const pages = page === 0 ? 0 : Math.ceil(codeLimit / page);
  if (nCodeSlots !== pages)
    throw new InvalidSignature(
      'bad CodeDirectory',
      `the CodeDirectory has ${nCodeSlots} page hashes but ${codeLimit} bytes make ${pages} pages of ${page}`,
    );
  const slot = (i: number): Buffer => cd.subarray(hashOffset + i * hashSize, hashOffset + (i + 1) * hashSize);
  const digest = (b: Buffer): Buffer => createHash(spec.algorithm).update(b).digest().subarray(0, hashSize);
  for (const b of blobs) {
    if (b.type < 1 || b.type > nSpecialSlots || BUNDLE_SLOTS.has(b.type)) continue;
    if (!digest(b.bytes).equals(slot(-b.type)))
      throw new InvalidSignature(
        `blob ${b.type} differs`,
        `special slot ${b.type}'s hash does not match the blob it names`,
      );
  }
  await checkPages(src, codeLimit, page, spec.algorithm, hashSize, slot);
  return { flags, identifier, team, hash: spec.name };
}

/** A NUL-terminated printable string inside the CodeDirectory. */
function text(cd: Buffer, at: number, what: string): string {
  const end = at >= 0 && at < cd.length ? cd.indexOf(0, at) : -1;
  if (end < 0)
    throw new InvalidSignature(`bad ${what}`, `the CodeDirectory's ${what} lies outside it or does not end`);
  const s = cd.toString('latin1', at, end);
  if (s.length === 0 || !/^[\x21-\x7e]+$/.test(s))
    throw new InvalidSignature(
      `bad ${what}`,
      `the CodeDirectory's ${what} ${JSON.stringify(s)} is empty or not printable`,
    );
  return s;
}

/** Hashes the file page by page, reading a MiB at a time (a page may span two reads), and names the first page that differs. */
async function checkPages(
  src: ByteSource,
  codeLimit: number,
  page: number,
  algorithm: string,
  hashSize: number,
  slot: (i: number) => Buffer,
): Promise<void> {
  let hash = createHash(algorithm);
  let filled = 0;
  let index = 0;
  for (let start = 0; start < codeLimit; start += CHUNK) {
    const chunk = await readAt(src, start, Math.min(CHUNK, codeLimit - start), 'the signed part of the file');
    for (let at = 0; at < chunk.length;) {
      const take = Math.min(page - filled, chunk.length - at);
      hash.update(chunk.subarray(at, at + take));
      filled += take;
      at += take;
      if (filled === page || start + at === codeLimit) {
        if (!hash.digest().subarray(0, hashSize).equals(slot(index))) {
          const from = index * page;
          throw new InvalidSignature(
            `page ${index} differs`,
            `page ${index} (bytes ${from}–${Math.min(from + page, codeLimit) - 1}) does not match its hash in the code signature: the file changed after it was signed`,
          );
        }
        hash = createHash(algorithm);
        filled = 0;
        index++;
      }
    }
  }
}
