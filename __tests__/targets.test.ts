import { describe, expect, it } from '@jest/globals';
import { parsePattern, tokenize } from '../src/targets/grammar.js';
import { selectTargets, targetId } from '../src/targets/expand.js';
import { editDistance, nearest } from '../src/targets/suggest.js';
import { variantMeaning, variantSuffix } from '../src/targets/variants.js';
import { pinVariants } from '../src/targets/resolve.js';
import { InputError } from '../src/options/errors.js';
import { recordedUniverse } from './support/universe.js';

const go123 = recordedUniverse('go1.23.5');
const go119 = recordedUniverse('go1.19.8');
const go126 = recordedUniverse('go1.26.8');
const go127 = recordedUniverse('go1.27.3');

const ids = (targets: string, exclude = '', universe = go123): string[] =>
  selectTargets(targets, exclude, universe).map(targetId);

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('tokenize', () => {
  it.each([
    ['linux/amd64', ['linux/amd64']],
    ['linux/amd64,linux/arm64', ['linux/amd64', 'linux/arm64']],
    ['linux/amd64 linux/arm64\twindows/amd64', ['linux/amd64', 'linux/arm64', 'windows/amd64']],
    ['linux/amd64\nlinux/arm64\r\n  darwin/arm64  ', ['linux/amd64', 'linux/arm64', 'darwin/arm64']],
    ['linux/amd64, ,, linux/arm64', ['linux/amd64', 'linux/arm64']],
    ['linux/amd64 # the server\n# a comment line\nlinux/arm/7', ['linux/amd64', 'linux/arm/7']],
    ['', []],
    ['  \n , ', []],
  ])('%j', (text, expected) => {
    expect(tokenize(text)).toEqual(expected);
  });
});

describe('parsePattern', () => {
  it.each([
    ['first-class', { kind: 'preset', preset: 'first-class' }],
    ['all', { kind: 'preset', preset: 'all' }],
    ['linux/amd64', { kind: 'pattern', goos: 'linux', goarch: 'amd64', variant: null }],
    ['linux/arm/7', { kind: 'pattern', goos: 'linux', goarch: 'arm', variant: '7' }],
    ['linux/*', { kind: 'pattern', goos: 'linux', goarch: '*', variant: null }],
    ['*/arm64', { kind: 'pattern', goos: '*', goarch: 'arm64', variant: null }],
    ['linux/arm64/v8.2', { kind: 'pattern', goos: 'linux', goarch: 'arm64', variant: 'v8.2' }],
  ])('%s', (entry, expected) => {
    expect(parsePattern(entry)).toMatchObject(expected);
  });

  it.each([
    ['linux', /not of the form GOOS\/GOARCH/],
    ['linux/amd64/v3/x', /not of the form GOOS\/GOARCH/],
    ['linux//amd64', /empty segment/],
    ['/amd64', /empty segment/],
    ['linux/amd64/', /empty segment/],
    ['linux/$(id)', /characters that no GOOS/],
    ['linux/amd64;rm', /characters that no GOOS/],
  ])('rejects %s', (entry, message) => {
    expect(() => parsePattern(entry)).toThrow(message);
  });
});

describe('selectTargets', () => {
  it('expands first-class from the toolchain, in dist-list order', () => {
    expect(ids('first-class')).toEqual([
      'darwin/amd64',
      'darwin/arm64',
      'linux/386',
      'linux/amd64',
      'linux/arm',
      'linux/arm64',
      'windows/386',
      'windows/amd64',
    ]);
  });

  it('expands all to every dist-list entry of that toolchain', () => {
    expect(ids('all', '', go119)).toHaveLength(go119.dist.length);
    expect(ids('all', '', go123)).toHaveLength(go123.dist.length);
    expect(ids('all', '', go123)).toContain('wasip1/wasm');
    expect(ids('all', '', go119)).not.toContain('wasip1/wasm');
  });

  it.each([
    ['linux/*', (t: string) => t.startsWith('linux/')],
    ['*/arm64', (t: string) => t.endsWith('/arm64')],
    ['linux/mips*', (t: string) => /^linux\/mips/.test(t)],
  ])('expands the wildcard %s', (pattern, predicate) => {
    const got = ids(pattern);
    expect(got.length).toBeGreaterThan(1);
    expect(got.every(predicate)).toBe(true);
    expect(got).toEqual(go123.dist.map((d) => `${d.goos}/${d.goarch}`).filter(predicate));
  });

  it('keeps the order written and drops duplicates', () => {
    expect(ids('windows/amd64 linux/amd64,windows/amd64 linux/amd64')).toEqual([
      'windows/amd64',
      'linux/amd64',
    ]);
  });

  it('keeps variants apart from the plain target', () => {
    expect(ids('linux/amd64 linux/amd64/v3 linux/arm/6 linux/arm/7')).toEqual([
      'linux/amd64',
      'linux/amd64/v3',
      'linux/arm/6',
      'linux/arm/7',
    ]);
  });

  it('expands a variant wildcard to every value the toolchain accepts', () => {
    expect(ids('linux/amd64/*')).toEqual([
      'linux/amd64/v1',
      'linux/amd64/v2',
      'linux/amd64/v3',
      'linux/amd64/v4',
    ]);
    expect(ids('linux/ppc64le/*', '', go119)).toEqual(['linux/ppc64le/power8', 'linux/ppc64le/power9']);
    expect(ids('linux/ppc64le/*', '', go123)).toContain('linux/ppc64le/power10');
  });

  it.each([
    ['linux/386/softfloat'],
    ['linux/386/sse2'],
    ['linux/mips/softfloat'],
    ['linux/mipsle/hardfloat'],
    ['linux/mips64le/softfloat'],
    ['linux/ppc64le/power9'],
    ['linux/arm/5'],
    ['windows/arm64'],
    ['js/wasm/satconv'],
    ['linux/arm64/v8.2'],
    ['linux/riscv64/rva22u64'],
  ])('accepts %s on go1.23', (entry) => {
    expect(ids(entry)).toEqual([entry]);
  });

  it('applies a variant to every target a wildcard matches', () => {
    expect(ids('*/arm/7')).toEqual(
      go123.dist.filter((d) => d.goarch === 'arm').map((d) => `${d.goos}/arm/7`),
    );
  });

  it('removes excluded targets, all variants of a plain exclude, only the named variant otherwise', () => {
    expect(ids('linux/*', 'linux/mips* linux/ppc64*')).not.toEqual(expect.arrayContaining(['linux/mips']));
    expect(ids('first-class', 'windows/*')).toEqual([
      'darwin/amd64',
      'darwin/arm64',
      'linux/386',
      'linux/amd64',
      'linux/arm',
      'linux/arm64',
    ]);
    expect(ids('linux/arm/6 linux/arm/7 linux/386', 'linux/arm')).toEqual(['linux/386']);
  });

  it('excludes a named variant only', () => {
    expect(ids('linux/arm/6 linux/arm/7 linux/amd64', 'linux/arm/7')).toEqual(['linux/arm/6', 'linux/amd64']);
  });

  it('excludes with presets', () => {
    expect(ids('all', 'first-class', go123)).not.toContain('linux/amd64');
    expect(ids('all', 'first-class', go123)).toContain('linux/riscv64');
  });
});

describe('selectTargets errors', () => {
  it.each([
    // [targets, exclude, input named, message, toolchain]
    ['linux/amd46', '', 'targets', "'linux/amd46' is not a target of go1.23.5; did you mean 'linux/amd64'?"],
    [
      'linux/aarch64',
      '',
      'targets',
      "'linux/aarch64' is not a target of go1.23.5; did you mean 'linux/arm64'?",
    ],
    ['macos/arm64', '', 'targets', "did you mean 'darwin/arm64'?"],
    ['Linux/AMD64', '', 'targets', "did you mean 'linux/amd64'?"],
    ['linux/x86_64/v3', '', 'targets', "did you mean 'linux/amd64/v3'?"],
    ['windoes/amd64', '', 'targets', "did you mean 'windows/amd64'?"],
    [
      'wasip1/wasm',
      '',
      'targets',
      "wasip1/wasm is not a port of go1.19.8 ('go tool dist list' does not list it; Go releases add and remove ports): remove it from targets (or exclude it), or build it in a job with a Go release that has it.",
      go119,
    ],
    ['plan9/arm64', '', 'targets', "'plan9/arm64' is not a target of go1.23.5"],
    ['qwertyuiop/zxcvbnm', '', 'targets', "'go tool dist list' shows the valid GOOS/GOARCH pairs"],
    ['linx/*', '', 'targets', "'linx/*' matches no target of go1.23.5; did you mean 'linux/*'?"],
    ['*/amd46', '', 'targets', "did you mean '*/amd64'?"],
    [
      'linux/amd64/v5',
      '',
      'targets',
      "'v5' is not a GOAMD64 value of go1.23.5 for linux/amd64; did you mean 'linux/amd64/v4'? Valid: v1, v2, v3, v4.",
    ],
    [
      'linux/arm/8',
      '',
      'targets',
      "'8' is not a GOARM value of go1.23.5 for linux/arm; did you mean 'linux/arm/7'? Valid: 5, 6, 7.",
    ],
    ['linux/386/sse3', '', 'targets', "did you mean 'linux/386/sse2'?"],
    ['linux/ppc64le/power10', '', 'targets', 'Valid: power8, power9.', go119],
    [
      'linux/arm64/v8.2',
      '',
      'targets',
      'linux/arm64 takes no variant: go1.19.8 has no GOARM64 (it needs a newer Go)',
      go119,
    ],
    ['linux/s390x/z15', '', 'targets', 'linux/s390x takes no variant: Go has no variant variable for s390x'],
    ['linux/amd64/x*', '', 'targets', 'is not a GOAMD64 value'],
    [
      'linux/amd64',
      'linux/amd46',
      'exclude',
      "'linux/amd46' is not a target of go1.23.5; did you mean 'linux/amd64'?",
    ],
    ['linux/amd64', 'linux/amd64/v9', 'exclude', "'v9' is not a GOAMD64 value"],
    [
      'windows/arm',
      '',
      'targets',
      "windows/arm is not a port of go1.26.8 ('go tool dist list' does not list it; Go releases add and remove ports): remove it from targets (or exclude it), or build it in a job with a Go release that has it.",
      go126,
    ],
    [
      'freebsd/riscv64',
      '',
      'targets',
      "go1.26.8 marks freebsd/riscv64 as broken ('go tool dist list -broken'), so it is not built: remove it from targets (or exclude it), or build it in a job with a Go release that has it.",
      go126,
    ],
    ['openbsd/mips64', '', 'targets', 'go1.26.8 marks openbsd/mips64 as broken', go126],
    ['openbsd/mips64', '', 'targets', 'openbsd/mips64 is not a port of go1.27.3', go127],
    ['linux/riscv64/rva23u64', '', 'targets', 'Valid: rva20u64, rva22u64.'],
    [
      'linux/arm64/v8.2,lse',
      '',
      'targets',
      "',' and spaces separate targets, so 'lse' was read as a target of its own; did you mean 'linux/arm64/v8.2+lse'? Join a variant's features to its level with '+'.",
      go127,
    ],
    ['linux/arm/6 softfloat', '', 'targets', "did you mean 'linux/arm/6+softfloat'?", go127],
    [
      'linux/arm,softfloat',
      '',
      'targets',
      "a feature follows a variant level, e.g. 'linux/arm/<level>+softfloat'",
      go127,
    ],
    [
      'linux/arm64/v8.2+lsx',
      '',
      'targets',
      "'v8.2+lsx' is not a GOARM64 value for linux/arm64: 'lsx' is not a GOARM64 feature (lse, crypto). Write the level, then the features joined by '+', e.g. 'linux/arm64/v9.5+lse+crypto'.",
      go127,
    ],
    [
      'linux/arm/7+softfloat+hardfloat',
      '',
      'targets',
      "GOARM takes one of hardfloat or softfloat, not both. Write the level, then the features joined by '+', e.g. 'linux/arm/7+softfloat'.",
      go127,
    ],
    ['linux/arm64/v8.0+lse+lse', '', 'targets', 'a feature is named twice', go127],
    ['linux/arm/6+softfloat', '', 'targets', 'go1.19.8 takes no GOARM features (they need Go 1.22)', go119],
    ['linux/amd64/v3+avx', '', 'targets', 'GOAMD64 takes no features, only one of its levels', go127],
    ['linux/arm64/v8.10+lse', '', 'targets', "did you mean 'linux/arm64/v8.1+lse'?", go127],
    [
      'linux/amd64',
      'linux/amd64',
      'exclude',
      "It removes every target of 'linux/amd64'; nothing would be built.",
    ],
    ['', '', 'targets', 'Name at least one target'],
    ['linux', '', 'targets', 'not of the form GOOS/GOARCH'],
    ['linux/amd64', 'bogus', 'exclude', 'not of the form GOOS/GOARCH'],
  ])('%j minus %j', (targets, exclude, input, message, universe = go123) => {
    const err = errorOf(() => selectTargets(targets, exclude, universe));
    expect(err.input).toBe(input);
    expect(err.message).toContain(`Input '${input}'`);
    expect(err.message).toContain(message);
  });
});

describe('ports that come and go', () => {
  it('leaves broken and missing ports out of presets and wildcards, as the toolchain lists them', () => {
    expect(ids('all', '', go126)).not.toContain('windows/arm');
    expect(ids('freebsd/*', '', go126)).not.toContain('freebsd/riscv64');
    expect(ids('freebsd/*', '', go123)).toContain('freebsd/riscv64');
    expect(ids('all', '', go127)).toHaveLength(go127.dist.length);
  });

  it('lets an exclude list shared across Go releases name a port this one lacks', () => {
    expect(ids('windows/*', 'windows/arm', go126)).toEqual(['windows/386', 'windows/amd64', 'windows/arm64']);
    expect(ids('openbsd/*', 'openbsd/mips64', go127)).not.toContain('openbsd/mips64');
  });

  it('knows the cgo of linux/ppc64 from the toolchain (cgo from Go 1.27)', () => {
    const ppc64 = (u: typeof go126) => selectTargets('linux/ppc64', '', u)[0]?.cgoSupported;
    expect([ppc64(go126), ppc64(go127)]).toEqual([false, true]);
  });
});

describe('variants with features', () => {
  it.each([
    ['linux/arm64/v8.2+lse', 'v8.2,lse'],
    ['linux/arm64/v8.0+crypto+lse', 'v8.0,crypto,lse'],
    ['linux/arm64/v9.5+lse+crypto', 'v9.5,lse,crypto'],
    ['linux/arm/6+softfloat', '6,softfloat'],
    ['linux/arm/7+hardfloat', '7,hardfloat'],
    ['linux/arm/5', '5'],
    ['linux/riscv64/rva23u64', 'rva23u64'],
    ['js/wasm/satconv+signext', 'satconv,signext'],
  ])('%s pins %s exactly as typed', (entry, value) => {
    const [target] = pinVariants(selectTargets(entry, '', go127), new Map());
    expect(target?.id).toBe(entry);
    expect(target?.pinnedVariant?.value).toBe(value);
  });

  it('applies the features to every level a wildcard matches', () => {
    expect(ids('linux/arm64/v9.*+crypto', '', go127)).toEqual(
      ['v9.0', 'v9.1', 'v9.2', 'v9.3', 'v9.4', 'v9.5'].map((l) => `linux/arm64/${l}+crypto`),
    );
  });
});

describe('variantMeaning', () => {
  it.each([
    ['GOARM', '7', '7,hardfloat'],
    ['GOARM', '7,hardfloat', '7,hardfloat'],
    ['GOARM', '7,softfloat', '7,softfloat'],
    ['GOARM', '5', '5,softfloat'],
    ['GOARM', '6', '6,hardfloat'],
    ['GOARM64', 'v8.0', 'v8.0'],
    ['GOARM64', 'v8.1', 'v8.1,lse'],
    ['GOARM64', 'v8.1,lse', 'v8.1,lse'],
    ['GOARM64', 'v8.2,lse,crypto', 'v8.2,crypto,lse'],
    ['GOARM64', 'v9.0', 'v9.0,lse'],
    ['GOARM64', 'v8.0,lse', 'v8.0,lse'],
    ['GOWASM', 'signext,satconv', 'satconv,signext'],
    ['GOAMD64', 'v3', 'v3'],
  ])('%s=%s means %s', (variable, value, meaning) => {
    expect(variantMeaning(variable, value)).toBe(meaning);
  });
});

describe('suggestions', () => {
  it('measures transpositions as one edit', () => {
    expect(editDistance('amd46', 'amd64')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('linux', 'linux')).toBe(0);
  });
  it('gives nothing when nothing is close', () => {
    expect(nearest('zzzzzz', ['linux', 'darwin'])).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
  });
});

describe('variantSuffix', () => {
  it.each([
    ['GOARM', '7', '-v7'],
    ['GOARM', '7,hardfloat', '-v7'],
    ['GOAMD64', 'v3', '-v3'],
    ['GO386', 'softfloat', '-softfloat'],
    ['GOPPC64', 'power9', '-power9'],
    ['GOWASM', '', ''],
    ['GOWASM', 'signext,satconv', '-satconv-signext'],
    ['GOARM', '6,softfloat', '-v6-softfloat'],
    ['GOARM', '5,softfloat', '-v5'],
    ['GOARM64', 'v8.1,lse', '-v8.1'],
    ['GOARM64', 'v8.0,lse', '-v8.0-lse'],
    ['GOARM64', 'v8.2,lse,crypto', '-v8.2-crypto'],
    ['GORISCV64', 'rva23u64', '-rva23u64'],
  ])('%s=%s → %s', (variable, value, suffix) => {
    expect(variantSuffix(variable, value)).toBe(suffix);
  });
});
