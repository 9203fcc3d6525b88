// Mutations replayed before the random ones of every run of __tests__/verify/fuzz.test.ts,
// whatever the seed. No run has failed yet, so it starts with the edges the malformed-file tests
// name (empty files, offsets at the file's end, counts of all ones); when a run fails, add the
// counterexample fast-check printed (its `base` picks one of the test's files, modulo their count:
// write that file's name), with a line on what it broke and the commit that fixed it.

/** What the fuzz test's arbitrary generates: `base` indexes its real files, modulo their count. */
export interface Mutation {
  base: number;
  patches: {
    hot: boolean;
    region: number;
    pos: number;
    width: 1 | 2 | 4 | 8;
    /** -1: the file's size, give or take one byte (pos % 3 - 1). */
    value: number;
    spliceFrom: number | null;
  }[];
  /** The kept fraction of the file; null keeps it whole. */
  truncate: number | null;
}

/** A mutation of the real file the fuzz test names `file` (e.g. 'linux/amd64', 'universal'). */
export type CorpusMutation = Omit<Mutation, 'base'> & { file: string };

const FILES = [
  'linux/amd64',
  'linux/mips',
  'openbsd/amd64',
  'android/arm64',
  'windows/amd64',
  'darwin/amd64',
  'darwin/arm64',
  'js/wasm',
  'wasip1/wasm',
  'plan9/386',
  'aix/ppc64',
  'glibc-linked',
  'universal',
];

const header = (pos: number, width: 1 | 2 | 4 | 8, value: number) => ({
  hot: true,
  region: 0,
  pos,
  width,
  value,
  spliceFrom: null,
});

export const FUZZ_CORPUS: readonly CorpusMutation[] = [
  // Every real file cut to nothing, and to half.
  ...FILES.map((file) => ({ file, patches: [], truncate: 0 })),
  ...FILES.map((file) => ({ file, patches: [], truncate: 0.5 })),
  // ELF64 e_shoff at the end of the file, then e_phnum and e_shnum all ones.
  { file: 'linux/amd64', patches: [header(0x28, 8, -1)], truncate: null },
  { file: 'linux/amd64', patches: [header(0x38, 2, 0xffff), header(0x3c, 2, 0xffff)], truncate: null },
  // PE: e_lfanew (where the PE header starts) at the end of the file.
  { file: 'windows/amd64', patches: [header(0x3c, 4, -1)], truncate: null },
  // Mach-O: ncmds and sizeofcmds all ones.
  {
    file: 'darwin/arm64',
    patches: [header(0x10, 4, 0xffffffff), header(0x14, 4, 0xffffffff)],
    truncate: null,
  },
  // wasm: the first section's size as a LEB128 that never ends.
  { file: 'js/wasm', patches: [header(9, 4, 0xffffffff)], truncate: null },
  // Plan 9 a.out: text size all ones.
  { file: 'plan9/386', patches: [header(4, 4, 0xffffffff)], truncate: null },
  // XCOFF: the section count and symbol table offset past the end.
  { file: 'aix/ppc64', patches: [header(2, 2, 0xffff), header(8, 8, -1)], truncate: null },
  // Universal: nfat_arch all ones (read big-endian, still all ones).
  { file: 'universal', patches: [header(4, 4, 0xffffffff)], truncate: null },
];
