// Property: no mutation of a real executable (byte flips, hostile field values, truncation, splices into
// the header regions) makes verification throw or hang; every verdict is well formed.
// Replay a failure with VERIFY_FUZZ_SEED=<the seed its message ends with>; VERIFY_FUZZ_RUNS changes
// the count. The mutations in corpus/verify-fuzz.ts run first every time.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ByteSource, VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { verifySource } from '../../src/verify/index.js';
import { BUILDINFO_MAGIC } from '../../src/verify/buildinfo.js';
import type { Mutation } from '../corpus/verify-fuzz.js';
import { FUZZ_CORPUS } from '../corpus/verify-fuzz.js';
import { replayable, seedFrom, withCorpus } from '../support/replay.js';
import { toolchain } from '../support/toolchains.js';
import { buildFixtures, targetName } from './fixtures.js';

const RUNS = Number(process.env.VERIFY_FUZZ_RUNS ?? 100_000);
const SEED = seedFrom('VERIFY_FUZZ_SEED');

/** A real file seen through in-memory patches and a shorter length: no copy of the whole file per case. */
class MutatedSource implements ByteSource {
  constructor(
    private readonly base: Buffer,
    readonly size: number,
    private readonly patches: { at: number; bytes: Buffer }[],
  ) {}
  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset + length > this.size)
      throw new Error(`read past the end: ${offset}+${length} > ${this.size}`);
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
  /** [start, end) ranges where the structures live: mutations go there most of the time. */
  hot: [number, number][];
}

const INTERESTING = [0, 1, 2, 7, 8, 16, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  base: fc.nat(),
  patches: fc.array(
    fc.record({
      hot: fc.boolean(),
      region: fc.nat(),
      pos: fc.nat(),
      width: fc.constantFrom(1, 2, 4, 8),
      value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat(), fc.constant(-1)),
      spliceFrom: fc.option(fc.nat(), { freq: 4 }),
    }),
    { minLength: 0, maxLength: 6 },
  ),
  truncate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 5 }),
});

function hotRegions(bytes: Buffer): [number, number][] {
  const hot: [number, number][] = [
    [0, Math.min(bytes.length, 4096)],
    [Math.max(0, bytes.length - 4096), bytes.length],
  ];
  const bi = bytes.indexOf(BUILDINFO_MAGIC);
  if (bi >= 0) hot.push([Math.max(0, bi - 64), Math.min(bytes.length, bi + 512)]);
  return hot;
}

function makeFat(a: Buffer, b: Buffer): Buffer {
  const align = 0x4000;
  const offA = align;
  const offB = Math.ceil((offA + a.length) / align) * align;
  const fat = Buffer.alloc(offB + b.length);
  fat.writeUInt32BE(0xcafebabe, 0);
  fat.writeUInt32BE(2, 4);
  [
    [0x01000007, 3, offA, a.length],
    [0x0100000c, 0, offB, b.length],
  ].forEach(([cpu, sub, off, size], i) => {
    [cpu, sub, off, size, 14].forEach((v, j) => fat.writeUInt32BE(v ?? 0, 8 + i * 20 + j * 4));
  });
  a.copy(fat, offA);
  b.copy(fat, offB);
  return fat;
}

describe('fuzzing the readers with mutated real binaries', () => {
  const bases: Base[] = [];

  beforeAll(async () => {
    const tc = toolchain('1.23');
    const targets = [
      ['linux', 'amd64'],
      ['linux', 'mips'],
      ['openbsd', 'amd64'],
      ['android', 'arm64'],
      ['windows', 'amd64'],
      ['darwin', 'amd64'],
      ['darwin', 'arm64'],
      ['js', 'wasm'],
      ['wasip1', 'wasm'],
      ['plan9', '386'],
      ['aix', 'ppc64'],
    ];
    const built = await buildFixtures(
      tc,
      targets.map(([goos = '', goarch = '']) => ({ name: targetName(goos, goarch), goos, goarch })),
    );
    // A glibc-linked file (DT_NEEDED, .gnu.version_r): Go 1.19's android/amd64 artifact (HEADERS.md §1).
    const glibc = (
      await buildFixtures(toolchain('1.19'), [{ name: 'android-amd64', goos: 'android', goarch: 'amd64' }])
    ).get('android-amd64');
    const add = (name: string, bytes: Buffer, goos: string, goarch: string): void => {
      const req: VerifyRequest = {
        goos,
        goarch,
        variant: null,
        cgoEnabled: '0',
        linkage: 'static',
        maxGlibc: '2.17',
      };
      bases.push({ name, bytes, req, hot: hotRegions(bytes) });
    };
    for (const [goos = '', goarch = ''] of targets) {
      const p = built.get(targetName(goos, goarch))?.path;
      if (!p) throw new Error(`${goos}/${goarch} did not build`);
      add(`${goos}/${goarch}`, await readFile(p), goos, goarch);
    }
    if (!glibc?.path) throw new Error('android/amd64 (Go 1.19) did not build');
    add('glibc-linked', await readFile(glibc.path), 'android', 'amd64');
    const darwin = bases.filter((b) => b.req.goos === 'darwin').map((b) => b.bytes);
    add('universal', makeFat(darwin[0] ?? Buffer.alloc(0), darwin[1] ?? Buffer.alloc(0)), 'darwin', 'arm64');
  });

  /** Where the corpus's file name is in `bases`: a name the list lost is an error, not a skip. */
  const baseIndex = (file: string): number => {
    const i = bases.findIndex((b) => b.name === file);
    if (i < 0) throw new Error(`the fuzz corpus names ${file}, which is not one of the fuzzed files`);
    return i;
  };

  it(`survives ${RUNS} mutations without throwing or hanging`, async () => {
    process.stdout.write(`verify fuzz: seed ${SEED}, ${RUNS} runs (replay with VERIFY_FUZZ_SEED=${SEED})\n`);
    const rejected = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const base = bases[m.base % bases.length];
        if (!base) throw new Error('no bases');
        const size = base.bytes.length;
        const patches = m.patches.map((p) => {
          const [start, end] = p.hot ? (base.hot[p.region % base.hot.length] ?? [0, size]) : [0, size];
          const at = start + (p.pos % Math.max(1, end - start));
          if (p.spliceFrom !== null) {
            const from = p.spliceFrom % size;
            return { at, bytes: Buffer.from(base.bytes.subarray(from, from + 1 + (p.pos % 256))) };
          }
          const bytes = Buffer.alloc(p.width);
          const v = p.value < 0 ? size + (p.pos % 3) - 1 : p.value; // near the file size is the interesting edge
          bytes.writeUIntLE(v % 2 ** (8 * Math.min(p.width, 6)), 0, Math.min(p.width, 6));
          return { at, bytes };
        });
        const length = m.truncate === null ? size : Math.floor(m.truncate * size);
        let timer: NodeJS.Timeout | undefined;
        const hang = new Promise<never>((_, reject) => {
          // Names the file a verdict never came for; far past what a loaded machine needs for one.
          timer = setTimeout(() => reject(new Error(`hang on ${base.name}`)), 120_000);
        });
        let r: VerifyResult;
        try {
          r = await Promise.race([
            verifySource(new MutatedSource(base.bytes, length, patches), base.req),
            hang,
          ]);
        } finally {
          clearTimeout(timer);
        }
        if (r.ok === r.problems.length > 0)
          throw new Error(`ok=${r.ok} with problems ${JSON.stringify(r.problems)}`);
        if (!r.ok) rejected.set(base.name, (rejected.get(base.name) ?? 0) + 1);
      }),
      {
        ...replayable('VERIFY_FUZZ_SEED', SEED),
        endOnFailure: true,
        ...withCorpus(
          RUNS,
          FUZZ_CORPUS.map(({ file, ...m }) => [{ ...m, base: baseIndex(file) }]),
        ),
      },
    );
    // The mutations must actually bite: every base was rejected some of the time.
    expect([...rejected.keys()].sort()).toEqual(bases.map((b) => b.name).sort());
  });
});
