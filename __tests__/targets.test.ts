import { describe, expect, it } from '@jest/globals';
import { parsePattern, tokenize } from '../src/targets/grammar.js';
import { selectTargets, targetId } from '../src/targets/expand.js';
import { editDistance, nearest } from '../src/targets/suggest.js';
import { variantSuffix } from '../src/targets/variants.js';
import { InputError } from '../src/options/errors.js';
import { recordedUniverse } from './support/universe.js';

const go123 = recordedUniverse('go1.23.5');
const go119 = recordedUniverse('go1.19.8');

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
      "'wasip1/wasm' is not a target of go1.19.8; did you mean 'js/wasm'?",
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
  ])('%s=%s → %s', (variable, value, suffix) => {
    expect(variantSuffix(variable, value)).toBe(suffix);
  });
});
