import { describe, expect, it } from '@jest/globals';
import type { ArtifactEntry, CacheRecord } from '../../src/report/manifest.js';
import { cellCode, cellText, renderSummary, renderTable, totals } from '../../src/report/summary.js';
import { entry, manifest, verified } from './fixtures.js';

/** The cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

const HEADER = '| target | file | size | sha256 | time | verify | linkage | runs on | smoke | status |';

describe('renderSummary', () => {
  const m = manifest(
    [
      entry('linux/arm/7', { verify: verified({ machine: 'arm', bits: 32 }), sha256: 'f00d'.repeat(16) }),
      entry('linux/amd64', {
        verify: verified({ linkage: 'dynamic', glibc: '2.34', interpreter: '/lib64/ld-linux-x86-64.so.2' }),
        smoke: {
          ran: true,
          via: 'native',
          exitCode: 0,
          seconds: 0.1,
          timedOut: false,
          output: [],
          reason: null,
        },
      }),
      entry('windows/arm64', {
        status: 'build-failed',
        path: null,
        size: null,
        sha256: null,
        verify: null,
        error: 'go build exited with status 1\nmore',
      }),
      entry('linux/riscv64', {
        status: 'smoke-failed',
        smoke: {
          ran: true,
          via: 'qemu-riscv64',
          exitCode: 2,
          seconds: 0.2,
          timedOut: false,
          output: [],
          reason: null,
        },
      }),
    ],
    { cache: { hit: 'partial', key: 'k', restoredBytes: 3 * 1024 * 1024, savedBytes: 1536 } },
  );
  const text = renderSummary(m);
  const lines = text.split('\n');

  it('has one table with a header and a row per target, every row with the same number of cells', () => {
    const start = lines.indexOf(HEADER);
    expect(start).toBeGreaterThan(0);
    const rows = lines.slice(start, start + 2 + m.artifacts.length);
    expect(rows.map((r) => cells(r).length)).toEqual(Array(rows.length).fill(10));
    expect(lines[start + 2 + m.artifacts.length]).toBe('');
  });

  it('shows file, size, short sha256, time, verify, linkage and status for a verified target', () => {
    expect(text).toContain(
      '| `linux/arm/7` | `app-linux-arm-v7` | 2.0 MiB | `f00df00df00d` | 1.3 s | ✅ elf arm | static | – | – | ✅ ok |',
    );
  });

  it('shows dynamic linkage with the glibc version and the smoke result', () => {
    expect(text).toContain('| dynamic, GLIBC 2.34 | – | ✅ passed (native) | ✅ ok |');
    expect(text).toContain('| ❌ exit 2 (qemu-riscv64) | ❌ smoke failed |');
  });

  it('shows a failed build with dashes and the first line of its error', () => {
    expect(text).toContain(
      '| `windows/arm64` | – | – | – | 1.3 s | – | – | – | – | ❌ build failed — go build exited with status 1 |',
    );
  });

  it('ends with totals, the Go version and the cache result', () => {
    expect(text).toContain('**3/4 built**, 2 failed. 3/4 verified.');
    expect(text).toContain('go1.23.5 · module `example.com/app` · version `v1.2.3` · commit `0123456789ab`');
    expect(text).toContain('Cache: partial hit (a restore key matched), restored 3.0 MiB, saved 1.5 KiB.');
  });

  it('says when verification was off and when no cache was used', () => {
    const off = renderSummary(manifest([entry('linux/amd64', { verify: null })]));
    expect(off).toContain('**1/1 built**, 0 failed. Verification was off.');
    expect(off).toContain(
      '| `linux/amd64` | `app-linux-amd64` | 2.0 MiB | `abababababab` | 1.3 s | – | – | – | – | ✅ ok |',
    );
    expect(off).toContain('Cache: off (cache: false), nothing restored or saved.');
  });

  const failedEntry = (target: string) =>
    entry(target, {
      status: 'build-failed',
      path: null,
      sha256: null,
      size: null,
      verify: null,
      error: 'go build exited with status 1',
    });
  const cache = (
    use: NonNullable<CacheRecord['use']>,
    hit: CacheRecord['hit'],
    restoredBytes = 0,
    savedBytes = 0,
  ): CacheRecord => ({
    hit,
    key: hit === 'false' ? null : 'k',
    restoredBytes,
    savedBytes,
    use,
  });

  // Every sentence the totals print, in every state a run can end in: each must be true.
  it.each([
    [
      'nothing built (all failed)',
      [failedEntry('linux/amd64'), failedEntry('linux/arm64')],
      null,
      '**0/2 built**, 2 failed. Nothing was built, so nothing was verified.',
      'Cache: off (cache: false), nothing restored or saved.',
    ],
    [
      'no artifacts at all',
      [],
      cache('off', 'false'),
      '**0/0 built**, 0 failed. Nothing was built, so nothing was verified.',
      'Cache: off (cache: false), nothing restored or saved.',
    ],
    [
      'verify off',
      [entry('linux/amd64', { verify: null })],
      cache('local', 'false'),
      '**1/1 built**, 0 failed. Verification was off.',
      "Cache: Go's own build cache on this machine (outside GitHub Actions nothing is restored or saved).",
    ],
    [
      'one failed, one verified',
      [entry('linux/amd64'), failedEntry('linux/arm64')],
      cache('restore-and-save', 'false', 0, 2048),
      '**1/2 built**, 1 failed. 1/2 verified.',
      'Cache: miss, nothing restored, saved 2.0 KiB.',
    ],
    [
      'cache hit, nothing new',
      [entry('linux/amd64')],
      cache('restore-and-save', 'true', 3 * 1024 * 1024, 0),
      '**1/1 built**, 0 failed. 1/1 verified.',
      'Cache: hit, restored 3.0 MiB, nothing saved.',
    ],
    [
      'cache restore-only',
      [entry('linux/amd64')],
      cache('restore-only', 'partial', 1024),
      '**1/1 built**, 0 failed. 1/1 verified.',
      'Cache: partial hit (a restore key matched), restored 1.0 KiB; not saved (cache: restore-only).',
    ],
    [
      'cache service unavailable',
      [entry('linux/amd64')],
      cache('unavailable', 'false'),
      '**1/1 built**, 0 failed. 1/1 verified.',
      'Cache: the Actions cache service was not available, so nothing was restored or saved.',
    ],
  ] as [string, ArtifactEntry[], CacheRecord | null, string, string][])(
    '%s',
    (_, artifacts, cacheRecord, totalsLine, cacheSentence) => {
      const text = renderSummary(manifest([...artifacts], { cache: cacheRecord }));
      expect(text).toContain(totalsLine);
      expect(text).toContain(cacheSentence);
    },
  );

  it('escapes cell text so an error cannot break the table or inject HTML', () => {
    const nasty = renderSummary(
      manifest([
        entry('linux/amd64', {
          status: 'verify-failed',
          verify: verified({ ok: false, machine: 'a|b' }),
          error: 'bad | pipe <script>alert(1)</script> *bold* `tick` [link](x) & more',
        }),
      ]),
    );
    const row = nasty.split('\n').find((l) => l.startsWith('| `linux/amd64`')) ?? '';
    expect(cells(row)).toHaveLength(10);
    expect(row).not.toContain('<script>');
    expect(row).toContain(
      '❌ verify failed — bad \\| pipe &lt;script&gt;alert(1)&lt;/script&gt; \\*bold\\* \\`tick\\` \\[link\\](x) &amp; more',
    );
    expect(row).toContain('❌ elf a\\|b');
  });
});

describe('the runs-on cell', () => {
  const macos = { os: 'macOS', version: '13.0', release: 'macOS 13.0', evidence: 'LC_BUILD_VERSION minos' };
  const windows = {
    os: 'Windows',
    version: '10.0',
    release: 'Windows 10',
    evidence: 'PE OS and subsystem version 10.0',
  };
  const m = manifest([
    entry('darwin/arm64', {
      verify: verified({ format: 'macho', machine: 'arm64', linkage: 'dynamic', floor: macos }),
    }),
    entry('windows/amd64', { verify: verified({ format: 'pe', floor: windows }) }),
    entry('linux/amd64'),
  ]);

  it('names the oldest release the file asks for, and a dash when it names none', () => {
    const text = renderSummary(m);
    expect(text).toContain('| ✅ macho arm64 | dynamic | macOS 13.0+ | – | ✅ ok |');
    expect(text).toContain('| ✅ pe amd64 | static | Windows 10+ | – | ✅ ok |');
    expect(text).toContain('| ✅ elf amd64 | static | – | – | ✅ ok |');
  });

  it('is a column of the terminal table too', () => {
    const table = renderTable(m).split('\n');
    expect(table.find((l) => l.startsWith('darwin/arm64'))).toMatch(/\s+macOS 13\.0\+\s+-\s+ok$/);
    expect(table.find((l) => l.startsWith('windows/amd64'))).toMatch(/\s+Windows 10\+\s+-\s+ok$/);
    expect(table.find((l) => l.startsWith('linux/amd64'))).toMatch(/\s+-\s+ok$/);
  });

  it('reads a manifest written before verdicts had a floor', () => {
    const old = verified();
    delete (old as Partial<typeof old>).floor;
    const text = renderSummary(manifest([entry('linux/amd64', { verify: old })]));
    expect(text).toContain('| ✅ elf amd64 | static | – | – | ✅ ok |');
  });
});

describe('the target cell', () => {
  it('shows the variant value that was pinned when the target named none', () => {
    const text = renderSummary(
      manifest([
        entry('linux/amd64', { env: { GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v1', CGO_ENABLED: '0' } }),
        entry('linux/arm/7', { env: { GOOS: 'linux', GOARCH: 'arm', GOARM: '7', CGO_ENABLED: '0' } }),
      ]),
    );
    expect(text).toContain('| `linux/amd64` (GOAMD64=v1) | `app-linux-amd64` |');
    expect(text).toContain('| `linux/arm/7` | `app-linux-arm-v7` |');
  });
});

describe('cell helpers', () => {
  it('cellText escapes markdown and HTML and joins lines', () => {
    expect(cellText('a\\b_c\nd<e>')).toBe('a\\\\b\\_c d&lt;e&gt;');
  });

  it('cellCode picks a fence longer than any backtick run and escapes pipes', () => {
    expect(cellCode('plain')).toBe('`plain`');
    expect(cellCode('a`b')).toBe('``a`b``');
    expect(cellCode('`x`')).toBe('`` `x` ``');
    expect(cellCode('a|b')).toBe('`a\\|b`');
  });
});

describe('renderTable and totals keep their shape', () => {
  it('still prints the terminal table', () => {
    const m = manifest([entry('linux/amd64'), entry('linux/arm64', { status: 'skipped', path: null })]);
    expect(totals(m)).toEqual({ requested: 2, built: 1, failed: 0, verified: 2, skipped: 1 });
    const table = renderTable(m);
    expect(table.split('\n')[0]).toMatch(
      /^TARGET\s+FILE\s+SIZE\s+TIME\s+VERIFY\s+LINKAGE\s+RUNS ON\s+SMOKE\s+STATUS$/,
    );
    expect(table).toContain('1/2 built, 0 failed, 1 skipped (go1.23.5)');
  });
});

describe('the terminal table shows what was proven', () => {
  it('has the verdict, linkage with glibc, the smoke result and the totals of each', () => {
    const smoke = (via: string, exitCode: number | null, ran = true) => ({
      ran,
      via: ran ? via : null,
      exitCode,
      timedOut: false,
      seconds: 0.2,
      output: [],
      reason: ran ? null : 'cannot run here',
    });
    const m = manifest([
      entry('linux/arm64', { smoke: smoke('qemu-aarch64', 0) }),
      entry('linux/amd64', {
        verify: verified({ linkage: 'dynamic', glibc: '2.34' }),
        smoke: smoke('native', 0),
      }),
      entry('linux/riscv64', { smoke: smoke('', null, false) }),
    ]);
    const lines = renderTable(m).split('\n');
    expect(lines.find((l) => l.startsWith('linux/arm64'))).toMatch(
      /ok elf arm64\s+static\s+-\s+passed \(qemu-aarch64\)\s+ok$/,
    );
    expect(lines.find((l) => l.startsWith('linux/amd64'))).toMatch(
      /dynamic GLIBC 2\.34\s+-\s+passed \(native\)/,
    );
    expect(lines.find((l) => l.startsWith('linux/riscv64'))).toMatch(/\s+skipped\s+ok$/);
    expect(lines.at(-1)).toBe(
      '3/3 built, 0 failed (go1.23.5). 3/3 verified. Smoke tests: 2 passed, 1 skipped.',
    );
  });
});
