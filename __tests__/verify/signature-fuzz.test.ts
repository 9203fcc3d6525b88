// Property: no mutation of a real signature (Go's ad hoc Mach-O signature, alone and in a universal
// binary; an Authenticode signature by osslsigncode) makes verification throw, hang or read outside the
// file; every verdict carries a signature and fails when it is invalid. The mutations go mostly into the
// SuperBlob and CodeDirectory, the WIN_CERTIFICATE and its DER, and the load commands that point at them,
// written big-endian (Mach-O signatures) or little-endian (everything else).
// Replay a failure with SIGNATURE_FUZZ_SEED=<the seed its message ends with>; SIGNATURE_FUZZ_RUNS changes
// the count.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { writeUniversal } from '../../src/package/universal.js';
import { FormatError } from '../../src/verify/source.js';
import { children, oid, tlv } from '../../src/verify/der.js';
import type { Tlv } from '../../src/verify/der.js';
import type { ByteSource, VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { readPe } from '../../src/verify/pe.js';
import { tempDir } from '../support/engine.js';
import { replayable, seedFrom } from '../support/replay.js';
import { toolchain } from '../support/toolchains.js';
import { buildFixtures } from './fixtures.js';
import { signPe, signatureRange } from './signing.js';
import path from 'node:path';

const RUNS = Number(process.env.SIGNATURE_FUZZ_RUNS ?? 20_000);
const SEED = seedFrom('SIGNATURE_FUZZ_SEED');

/** A real file seen through in-memory patches and a shorter length; a read outside it is an error. */
class MutatedSource implements ByteSource {
  constructor(
    private readonly base: Buffer,
    readonly size: number,
    private readonly patches: { at: number; bytes: Buffer }[],
  ) {}
  async read(offset: number, length: number): Promise<Buffer> {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      offset + length > this.size
    )
      throw new Error(`read outside the file: ${offset}+${length} > ${this.size}`);
    const hits = this.patches.filter((p) => p.at < offset + length && p.at + p.bytes.length > offset);
    if (hits.length === 0) return this.base.subarray(offset, offset + length);
    const out = Buffer.from(this.base.subarray(offset, offset + length));
    for (const p of hits) p.bytes.copy(out, Math.max(0, p.at - offset), Math.max(0, offset - p.at));
    return out;
  }
}

interface Base {
  name: string;
  bytes: Buffer;
  req: VerifyRequest;
  /** [start, end) ranges where the signature structures live. */
  hot: [number, number][];
  /** The bytes the signature covers (less `skip`), and the verdict no change to them may keep. */
  signed: { from: number; to: number; skip: [number, number][]; kind: 'adhoc' | 'authenticode' };
}

const INTERESTING = [
  0, 1, 2, 8, 12, 20, 32, 0x7f, 0x80, 0xff, 0x1000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
];

const mutation = fc.record({
  base: fc.nat(),
  patches: fc.array(
    fc.record({
      hot: fc.nat({ max: 9 }),
      region: fc.nat(),
      pos: fc.nat(),
      width: fc.constantFrom(1, 2, 4, 8),
      big: fc.boolean(),
      value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat(), fc.constant(-1)),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  truncate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 6 }),
});

const request = (goos: string, goarch: string): VerifyRequest => ({
  goos,
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'any',
  maxGlibc: null,
});

/** Whether the patches changed a byte the signature covers. */
async function changesSigned(
  base: Base,
  mutated: ByteSource,
  patches: { at: number; bytes: Buffer }[],
): Promise<boolean> {
  const { from, to, skip } = base.signed;
  for (const p of patches) {
    for (let at = p.at; at < p.at + p.bytes.length; at++) {
      if (at < from || at >= to || skip.some(([a, b]) => at >= a && at < b)) continue;
      if ((await mutated.read(at, 1))[0] !== base.bytes[at]) return true;
    }
  }
  return false;
}

describe('fuzzing the signature readers with mutated real signatures', () => {
  const bases: Base[] = [];

  beforeAll(async () => {
    const tc = toolchain('1.26');
    const built = await buildFixtures(tc, [
      { name: 'darwin-arm64', goos: 'darwin', goarch: 'arm64' },
      { name: 'darwin-amd64', goos: 'darwin', goarch: 'amd64' },
      { name: 'windows-amd64', goos: 'windows', goarch: 'amd64' },
    ]);
    const bytes = (name: string): Promise<Buffer> => readFile(built.get(name)?.path ?? 'missing');
    const arm64 = await bytes('darwin-arm64');
    const sig = signatureRange(arm64);
    if (!sig) throw new Error('Go wrote no signature');
    bases.push({
      name: 'darwin/arm64',
      bytes: arm64,
      req: request('darwin', 'arm64'),
      hot: [
        [0, 4096],
        [sig.offset, sig.offset + 512],
        [sig.offset, sig.offset + sig.size],
        [0, sig.offset],
      ],
      signed: { from: 0, to: sig.offset, skip: [], kind: 'adhoc' },
    });
    const dest = path.join(tempDir('signature-fuzz'), 'universal');
    const { slices, bytes: fat } = await writeUniversal(dest, [
      { file: 'amd64', bytes: await bytes('darwin-amd64') },
      { file: 'arm64', bytes: arm64 },
    ]);
    const slice = slices.find((s) => s.cputype === 0x0100000c);
    if (!slice) throw new Error('no arm64 slice');
    bases.push({
      name: 'universal',
      bytes: fat,
      req: request('darwin', 'universal'),
      hot: [
        [0, 64],
        [slice.offset, slice.offset + 4096],
        [slice.offset + sig.offset, slice.offset + sig.offset + 512],
        [slice.offset, slice.offset + sig.offset],
      ],
      signed: { from: slice.offset, to: slice.offset + sig.offset, skip: [], kind: 'adhoc' },
    });
    const pe = await signPe(await bytes('windows-amd64'));
    const info = await readPe(new BufferSource(pe));
    const table = info.authenticode.table;
    if (!table || info.authenticode.entryAt === null)
      throw new Error('osslsigncode wrote no certificate table');
    bases.push({
      name: 'windows/amd64 signed',
      bytes: pe,
      req: request('windows', 'amd64'),
      hot: [
        [0, 1024],
        [info.authenticode.entryAt, info.authenticode.entryAt + 8],
        [table.offset, table.offset + 256],
        [table.offset, table.offset + table.size],
        [0, table.offset],
      ],
      signed: {
        from: 0,
        to: table.offset,
        skip: [[info.authenticode.checksumAt, info.authenticode.checksumAt + 4]],
        kind: 'authenticode',
      },
    });
  });

  it(`survives ${RUNS} mutations without throwing, hanging or reading outside the file`, async () => {
    process.stdout.write(
      `signature fuzz: seed ${SEED}, ${RUNS} runs (replay with SIGNATURE_FUZZ_SEED=${SEED})\n`,
    );
    const invalid = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const base = bases[m.base % bases.length];
        if (!base) throw new Error('no bases');
        const size = base.bytes.length;
        const patches = m.patches.map((p) => {
          // Seven in ten go into a hot region, the rest anywhere.
          const [start, end] = p.hot < 7 ? (base.hot[p.region % base.hot.length] ?? [0, size]) : [0, size];
          const at = start + (p.pos % Math.max(1, end - start));
          const bytes = Buffer.alloc(p.width);
          const v = p.value < 0 ? size + (p.pos % 3) - 1 : p.value;
          const width = Math.min(p.width, 6);
          if (p.big) bytes.writeUIntBE(v % 2 ** (8 * width), p.width - width, width);
          else bytes.writeUIntLE(v % 2 ** (8 * width), 0, width);
          return { at, bytes };
        });
        const length = m.truncate === null ? size : Math.floor(m.truncate * size);
        let timer: NodeJS.Timeout | undefined;
        const hang = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`hang on ${base.name}`)), 10_000);
        });
        let r: VerifyResult;
        const mutated = new MutatedSource(base.bytes, length, patches);
        try {
          r = await Promise.race([verifySource(mutated, base.req), hang]);
        } finally {
          clearTimeout(timer);
        }
        if (r.ok === r.problems.length > 0)
          throw new Error(`ok=${r.ok} with problems ${JSON.stringify(r.problems)}`);
        // A file whose container still reads (it names a machine) has a signature verdict, and an invalid
        // one fails it.
        if ((r.format === 'pe' || r.format === 'macho') && r.machine !== null) {
          if (r.signature == null) throw new Error(`no signature verdict for ${base.name}`);
          if (r.signature.kind === 'invalid') {
            invalid.set(base.name, (invalid.get(base.name) ?? 0) + 1);
            if (r.ok) throw new Error(`an invalid signature passed: ${r.signature.reason ?? ''}`);
            if (!r.signature.summary.startsWith('invalid (') || r.signature.reason === null)
              throw new Error(`an invalid signature without its reason: ${JSON.stringify(r.signature)}`);
          }
        }
        if (r.format === 'macho-fat' && r.slices?.some((s) => s.signature?.kind === 'invalid')) {
          invalid.set(base.name, (invalid.get(base.name) ?? 0) + 1);
          if (r.ok) throw new Error('a universal binary with an invalid slice signature passed');
        }
        // A changed signed byte never leaves the signature valid.
        if (length === size && (await changesSigned(base, mutated, patches))) {
          const sig = r.slices ? r.slices.find((x) => x.machine === 'arm64')?.signature : r.signature;
          if (sig?.kind === base.signed.kind)
            throw new Error(`a change to signed bytes kept the ${base.signed.kind} signature valid`);
        }
      }),
      { ...replayable('SIGNATURE_FUZZ_SEED', SEED), endOnFailure: true, numRuns: RUNS },
    );
    // The mutations must bite: each file's signature was found invalid some of the time.
    expect([...invalid.keys()].sort()).toEqual(bases.map((b) => b.name).sort());
  });
});

describe('the DER reader on arbitrary bytes', () => {
  /** Walks every value breadth-first, as deep as it goes, decoding every OID on the way. */
  function walk(buf: Buffer): number {
    let seen = 0;
    const queue: Tlv[] = [tlv(buf, 0)];
    for (let t = queue.shift(); t; t = queue.shift()) {
      if (++seen > 10_000) break;
      if (t.body < t.start || t.end > buf.length || t.body > t.end)
        throw new Error(`out of range: ${JSON.stringify(t)}`);
      if (t.tag === 0x06) oid(buf, t);
      if (t.tag & 0x20) queue.push(...children(buf, t, 1_000_000));
    }
    return seen;
  }

  it('throws only FormatError, and every value it returns lies inside the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          walk(Buffer.from(bytes));
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
      }),
      { ...replayable('SIGNATURE_FUZZ_SEED', SEED), numRuns: RUNS },
    );
  });

  it.each([
    ['an indefinite length', [0x30, 0x80, 0, 0], /indefinite/],
    ['a length past the buffer', [0x30, 0x05, 0x02, 0x01, 0x00], /runs past/],
    ['a five-byte length', [0x30, 0x85, 1, 0, 0, 0, 0], /too long/],
    ['a multi-byte tag', [0x1f, 0x81, 0x01, 0x00], /multi-byte/],
    ['a child longer than its parent', [0x30, 0x03, 0x04, 0x05, 0x00, 0, 0, 0, 0], /runs past/],
    ['an unterminated OID', [0x06, 0x02, 0x2a, 0x86], /does not end/],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => walk(Buffer.from(bytes))).toThrow(message);
  });

  it('walks 100 000 levels of nesting without recursing', () => {
    const depth = 100_000;
    // Each level is a SEQUENCE with a 4-byte length holding the next; a NULL at the bottom.
    const buf = Buffer.alloc(depth * 6 + 2);
    for (let i = 0; i < depth; i++) {
      buf.set([0x30, 0x84], i * 6);
      buf.writeUInt32BE((depth - i - 1) * 6 + 2, i * 6 + 2);
    }
    buf.set([0x05, 0x00], depth * 6);
    expect(walk(buf)).toBe(10_001);
  });
});
