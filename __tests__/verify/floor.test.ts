// The OS floor every file records, read back from real binaries of each suite toolchain and compared with
// what that Go release writes (measured with llvm-objdump, llvm-readobj and file); the floor it runs on, the
// later of that and what the Go release supports (its release notes); then min-macos and min-windows, a
// universal binary made by llvm-lipo, and patched or cut load commands that must not throw.
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cli } from '../support/cli.js';
import type { Release } from '../support/toolchains.js';
import { RELEASES, toolchain } from '../support/toolchains.js';
import type { VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { BufferSource, verifyFile, verifySource } from '../../src/verify/index.js';
import type { FixtureSpec } from './fixtures.js';
import { CGO_MODULE, buildFixtures } from './fixtures.js';

const run = promisify(execFile);

interface Row {
  spec: FixtureSpec;
  /** What the header says for Go 1.19, 1.23, 1.26 and 1.27 (null: the file records none). */
  floors: Record<Release, string | null>;
  /** What it runs on: the later of that and the Go release's documented minimum (null: no header floor). */
  runsOn: Record<Release, string | null>;
}

// The same names (and builds) as the every-target tier's fixtures: built once per run.
const spec = (goos: string, goarch: string): FixtureSpec => ({
  name: `${goos}-${goarch}`,
  goos,
  goarch,
});
const byRelease = (
  f119: string | null,
  f123: string | null,
  f126: string | null,
  f127: string | null,
): Record<Release, string | null> => ({ '1.19': f119, '1.23': f123, '1.26': f126, '1.27': f127 });

// Headers measured on the suite's toolchains; GO-RELEASES.md §4 and §8 say the same for macOS and Windows.
// Runs-on from the release notes: macOS 10.13 (Go 1.17), 11 (1.23), 12 (1.25), 13 (1.27); Windows 10 from
// Go 1.21 (6.1 before); FreeBSD 12.2 from 1.19; NetBSD 8.0 from 1.10; Linux 2.6.32 from 1.18, 3.2 from 1.24.
const WIN7_THEN_10 = byRelease('Windows 7', 'Windows 10', 'Windows 10', 'Windows 10');
const ROWS: Row[] = [
  {
    spec: spec('darwin', 'amd64'),
    floors: byRelease('macOS 10.9', 'macOS 11.0', 'macOS 12.0', 'macOS 13.0'),
    runsOn: byRelease('macOS 10.13', 'macOS 11.0', 'macOS 12.0', 'macOS 13.0'),
  },
  {
    spec: spec('darwin', 'arm64'),
    floors: byRelease('macOS 11.0', 'macOS 11.0', 'macOS 12.0', 'macOS 13.0'),
    runsOn: byRelease('macOS 11.0', 'macOS 11.0', 'macOS 12.0', 'macOS 13.0'),
  },
  {
    spec: spec('windows', 'amd64'),
    floors: byRelease('Windows 7', 'Windows 7', 'Windows 7', 'Windows 10'),
    runsOn: WIN7_THEN_10,
  },
  {
    spec: spec('windows', '386'),
    floors: byRelease('Windows 7', 'Windows 7', 'Windows 7', 'Windows 10'),
    runsOn: WIN7_THEN_10,
  },
  // Go 1.19 writes no .note.tag; later releases say __FreeBSD_version 1203000.
  {
    spec: spec('freebsd', 'amd64'),
    floors: byRelease(null, 'FreeBSD 12.3', 'FreeBSD 12.3', 'FreeBSD 12.3'),
    runsOn: byRelease(null, 'FreeBSD 12.3', 'FreeBSD 12.3', 'FreeBSD 12.3'),
  },
  {
    spec: spec('netbsd', 'amd64'),
    floors: byRelease('NetBSD 7.0', 'NetBSD 7.0', 'NetBSD 7.0', 'NetBSD 7.0'),
    runsOn: byRelease('NetBSD 8.0', 'NetBSD 8.0', 'NetBSD 8.0', 'NetBSD 8.0'),
  },
  // Go's OpenBSD note carries version 0, and its own Linux links carry no ABI note.
  {
    spec: spec('openbsd', 'amd64'),
    floors: byRelease(null, null, null, null),
    runsOn: byRelease(null, null, null, null),
  },
  {
    spec: spec('linux', 'amd64'),
    floors: byRelease(null, null, null, null),
    runsOn: byRelease(null, null, null, null),
  },
  {
    spec: {
      name: 'floor-cgo-linux-amd64',
      goos: 'linux',
      goarch: 'amd64',
      env: { CGO_ENABLED: '1', CC: 'gcc' },
      dir: CGO_MODULE,
    },
    // glibc's start files carry NT_GNU_ABI_TAG into every external link.
    floors: byRelease('Linux 3.2.0', 'Linux 3.2.0', 'Linux 3.2.0', 'Linux 3.2.0'),
    runsOn: byRelease('Linux 3.2.0', 'Linux 3.2.0', 'Linux 3.2.0', 'Linux 3.2.0'),
  },
];

const request = (s: FixtureSpec, more: Partial<VerifyRequest> = {}): VerifyRequest => ({
  goos: s.goos,
  goarch: s.goarch,
  variant: null,
  cgoEnabled: s.env?.CGO_ENABLED === '1' ? '1' : '0',
  linkage: 'any',
  maxGlibc: null,
  ...more,
});

/** What a tool that is not ours says the floor is, in the same words. */
async function theirFloor(file: string, format: string): Promise<string | null> {
  if (format === 'macho') {
    const { stdout } = await run('llvm-objdump', ['--macho', '--private-headers', file]);
    const minos = /cmd LC_BUILD_VERSION[\s\S]*?minos (\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1];
    return minos === undefined ? null : `macOS ${minos}`;
  }
  if (format === 'pe') {
    const { stdout } = await run('llvm-readobj', ['--file-headers', file]);
    const field = (name: string): string => new RegExp(`${name}: (\\d+)`).exec(stdout)?.[1] ?? '?';
    const sub = `${field('MajorSubsystemVersion')}.${field('MinorSubsystemVersion')}`;
    const osv = `${field('MajorOperatingSystemVersion')}.${field('MinorOperatingSystemVersion')}`;
    expect(osv).toBe(sub);
    return (
      new Map([
        ['6.1', 'Windows 7'],
        ['10.0', 'Windows 10'],
      ]).get(sub) ?? `NT ${sub}`
    );
  }
  const { stdout } = await run('file', ['-b', file]);
  const m = /for (FreeBSD|NetBSD|GNU\/Linux) (\d+(?:\.\d+)+)/.exec(stdout);
  return m ? `${m[1] === 'GNU/Linux' ? 'Linux' : m[1]} ${m[2]}` : null;
}

/** The fixture spec of a row, by its name. */
function rowSpec(name: string): FixtureSpec {
  const found = ROWS.find((r) => r.spec.name === name);
  if (!found) throw new Error(`no row ${name}`);
  return found.spec;
}

/** Every suite toolchain's files, by release and fixture name. */
const files = new Map<Release, Map<string, string>>();
const file = (release: Release, name: string): string => {
  const p = files.get(release)?.get(name);
  if (!p) throw new Error(`${name} (Go ${release}) was not built`);
  return p;
};

beforeAll(async () => {
  // A missing C compiler fails the suite: the cgo row is never dropped in silence.
  if (spawnSync('gcc', ['--version']).status !== 0) {
    throw new Error('missing C compiler gcc (the cgo row needs it): run .ci/install-system-deps');
  }
  for (const release of RELEASES) {
    const built = await buildFixtures(
      toolchain(release),
      ROWS.map((r) => r.spec),
    );
    const paths = new Map<string, string>();
    for (const [name, b] of built) {
      if (b.path === null) throw new Error(`${name} did not build with Go ${release}: ${b.error}`);
      paths.set(name, b.path);
    }
    files.set(release, paths);
  }
});

// Windows names its releases apart from their NT version numbers (Microsoft's "Operating System
// Version" table); a Windows floor's release must be the name of its version.
const WINDOWS_NAMES: Readonly<Record<string, string>> = {
  '6.1': 'Windows 7',
  '6.2': 'Windows 8',
  '6.3': 'Windows 8.1',
  '10.0': 'Windows 10',
};

describe('the floor each toolchain writes', () => {
  const cases = RELEASES.flatMap((release) =>
    ROWS.map((row) => [`Go ${release} ${row.spec.goos}/${row.spec.goarch}`, release, row] as const),
  );
  it.each(cases)('%s', async (_, release, row) => {
    const f = file(release, row.spec.name);
    const r = await verifyFile(f, request(row.spec));
    expect(r.problems).toEqual([]);
    expect(r.floor?.release ?? null).toBe(row.runsOn[release]);
    expect(await theirFloor(f, r.format ?? '')).toBe(row.floors[release]);
    if (r.floor) {
      expect(r.floor.release).toBe(
        r.floor.os === 'Windows' ? WINDOWS_NAMES[r.floor.version] : `${r.floor.os} ${r.floor.version}`,
      );
      // The evidence names both: what the header says, and what this Go release supports.
      expect(r.floor.evidence).toContain(` says ${row.floors[release] ?? '?'}; Go ${release} supports `);
      expect(JSON.parse(JSON.stringify(r.floor))).toEqual(r.floor);
    }
  });

  it('names where it read each floor', async () => {
    const floor = async (release: Release, name: string): Promise<VerifyResult['floor']> =>
      (await verifyFile(file(release, name), request(rowSpec(name)))).floor;
    expect(await floor('1.27', 'darwin-arm64')).toEqual({
      os: 'macOS',
      version: '13.0',
      release: 'macOS 13.0',
      evidence:
        'LC_BUILD_VERSION minos says macOS 13.0; Go 1.27 supports macOS 13.0 and later (go.dev/doc/go1.27#darwin)',
    });
    expect(await floor('1.19', 'darwin-amd64')).toEqual({
      os: 'macOS',
      version: '10.13',
      release: 'macOS 10.13',
      evidence:
        'LC_BUILD_VERSION minos says macOS 10.9; Go 1.19 supports macOS 10.13 and later (go.dev/doc/go1.17#darwin)',
    });
    expect(await floor('1.27', 'windows-386')).toEqual({
      os: 'Windows',
      version: '10.0',
      release: 'Windows 10',
      evidence:
        'PE OS and subsystem version 10.0 says Windows 10; Go 1.27 supports Windows 10 and later (go.dev/doc/go1.21#windows)',
    });
    // The header still says Windows 7, but Go 1.21 and later do not run there (golang/go#64622).
    expect(await floor('1.26', 'windows-amd64')).toEqual({
      os: 'Windows',
      version: '10.0',
      release: 'Windows 10',
      evidence:
        'PE OS and subsystem version 6.1 says Windows 7; Go 1.26 supports Windows 10 and later (go.dev/doc/go1.21#windows)',
    });
    expect(await floor('1.19', 'windows-amd64')).toEqual({
      os: 'Windows',
      version: '6.1',
      release: 'Windows 7',
      evidence:
        'PE OS and subsystem version 6.1 says Windows 7; Go 1.19 supports Windows 7 and later (go.dev/doc/go1.11#ports)',
    });
    expect(await floor('1.27', 'freebsd-amd64')).toEqual({
      os: 'FreeBSD',
      version: '12.3',
      release: 'FreeBSD 12.3',
      evidence:
        'FreeBSD ABI note 1203000 says FreeBSD 12.3; Go 1.27 supports FreeBSD 12.2 and later (go.dev/doc/go1.18#freebsd)',
    });
    expect(await floor('1.23', 'netbsd-amd64')).toEqual({
      os: 'NetBSD',
      version: '8.0',
      release: 'NetBSD 8.0',
      evidence:
        'NetBSD ident note 700000000 says NetBSD 7.0; Go 1.23 supports NetBSD 8.0 and later (go.dev/doc/go1.10#netbsd)',
    });
    expect(await floor('1.19', 'floor-cgo-linux-amd64')).toEqual({
      os: 'Linux',
      version: '3.2.0',
      release: 'Linux 3.2.0',
      evidence:
        'NT_GNU_ABI_TAG note says Linux 3.2.0; Go 1.19 supports Linux 2.6.32 and later (go.dev/doc/go1.18#linux)',
    });
  });
});

describe('min-macos', () => {
  const darwin = (goarch: string): FixtureSpec => spec('darwin', goarch);
  const check = async (release: Release, goarch: string, minMacos: string): Promise<VerifyResult> =>
    verifyFile(file(release, `darwin-${goarch}`), request(darwin(goarch), { minMacos }));

  it('fails a Go 1.27 file for macOS 12, naming both versions and what to do', async () => {
    const r = await check('1.27', 'arm64', '12');
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'needs macOS 13.0 (LC_BUILD_VERSION minos says macOS 13.0; Go 1.27 supports macOS 13.0 and later (go.dev/doc/go1.27#darwin)) but min-macos is 12: it will not start on macOS 12; build with Go 1.26 or older (the last to support macOS 12), or raise min-macos to 13.0',
    ]);
    expect((await check('1.27', 'amd64', '13')).ok).toBe(true);
    expect((await check('1.27', 'amd64', '14.2')).ok).toBe(true);
  });

  it('passes each release at its own floor and fails it one release below', async () => {
    expect((await check('1.26', 'amd64', '12')).ok).toBe(true);
    const r = await check('1.26', 'amd64', '11');
    expect(r.problems).toHaveLength(1);
    expect(r.problems).toEqual([
      'needs macOS 12.0 (LC_BUILD_VERSION minos says macOS 12.0; Go 1.26 supports macOS 12.0 and later (go.dev/doc/go1.25#darwin)) but min-macos is 11: it will not start on macOS 11; build with Go 1.24 or older (the last to support macOS 11), or raise min-macos to 12.0',
    ]);
    expect((await check('1.23', 'amd64', '11.0')).ok).toBe(true);
    expect((await check('1.23', 'amd64', '10.15')).problems[0]).toMatch(
      /^needs macOS 11\.0 .* min-macos is 10\.15: it will not start on macOS 10\.15; build with Go 1\.22 or older \(the last to support macOS 10\.15\), or raise min-macos to 11\.0$/,
    );
    expect((await check('1.19', 'amd64', '10.15')).ok).toBe(true);
    expect((await check('1.19', 'amd64', '10.13')).ok).toBe(true);
  });

  it('fails a file whose header asks for less than its Go supports, naming both', async () => {
    // Go 1.19's linker writes minos 10.9, but Go 1.17 and later need macOS 10.13.
    expect((await check('1.19', 'amd64', '10.12')).problems).toEqual([
      'needs macOS 10.13 (LC_BUILD_VERSION minos says macOS 10.9; Go 1.19 supports macOS 10.13 and later (go.dev/doc/go1.17#darwin)) but min-macos is 10.12: it will not start on macOS 10.12; build with Go 1.16 or older (the last to support macOS 10.12), or raise min-macos to 10.13',
    ]);
  });

  it('holds arm64 to macOS 11 at most: no older macOS runs on Apple silicon', async () => {
    expect((await check('1.19', 'arm64', '10.15')).ok).toBe(true);
    expect((await check('1.23', 'arm64', '10.13')).ok).toBe(true);
    expect((await check('1.26', 'arm64', '10.15')).problems[0]).toMatch(
      /^needs macOS 12\.0 .* but min-macos is 10\.15 \(11\.0 for arm64: Apple silicon began with macOS 11\): it will not start on macOS 11\.0; build with Go 1\.24 or older \(the last to support macOS 11\.0\)/,
    );
  });

  it('leaves other systems alone and names a bad value', async () => {
    const windows = rowSpec('windows-amd64');
    expect((await verifyFile(file('1.27', windows.name), request(windows, { minMacos: '10.6' }))).ok).toBe(
      true,
    );
    expect((await check('1.27', 'arm64', 'Ventura')).problems).toEqual([
      'min-macos Ventura is not a macOS version like 12 or 10.15',
    ]);
  });
});

describe('min-windows', () => {
  const check = async (release: Release, goarch: string, minWindows: string): Promise<VerifyResult> =>
    verifyFile(file(release, `windows-${goarch}`), request(spec('windows', goarch), { minWindows }));

  it('fails a Go 1.27 file for Windows 7, naming both versions and what to do', async () => {
    const r = await check('1.27', 'amd64', '7');
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'needs Windows 10 (PE OS and subsystem version 10.0 says Windows 10; Go 1.27 supports Windows 10 and later (go.dev/doc/go1.21#windows)) but min-windows is 7: it will not start on Windows 7; build with Go 1.20 or older (the last to support Windows 7), or raise min-windows to 10',
    ]);
    expect((await check('1.27', '386', '8.1')).problems[0]).toMatch(
      /but min-windows is 8\.1: it will not start on Windows 8\.1;/,
    );
  });

  it('fails Go 1.21 to 1.26 files for Windows 7 to 8.1 although their headers say Windows 7', async () => {
    for (const release of ['1.23', '1.26'] as const) {
      const r = await check(release, '386', '7');
      expect(r.problems).toEqual([
        `needs Windows 10 (PE OS and subsystem version 6.1 says Windows 7; Go ${release} supports Windows 10 and later (go.dev/doc/go1.21#windows)) but min-windows is 7: it will not start on Windows 7; build with Go 1.20 or older (the last to support Windows 7), or raise min-windows to 10`,
      ]);
      for (const min of ['8', '8.1']) expect((await check(release, 'amd64', min)).ok).toBe(false);
    }
  });

  it('passes Windows 10 and 11 for every release, and Windows 7 to 8.1 for Go 1.19', async () => {
    for (const release of RELEASES)
      for (const min of ['10', '11']) expect((await check(release, 'amd64', min)).ok).toBe(true);
    for (const min of ['7', '8', '8.1']) expect((await check('1.19', '386', min)).ok).toBe(true);
  });

  it('leaves other systems alone and names a bad value', async () => {
    const darwin = spec('darwin', 'arm64');
    expect((await verifyFile(file('1.27', darwin.name), request(darwin, { minWindows: '7' }))).ok).toBe(true);
    expect((await check('1.27', 'amd64', 'xp')).problems).toEqual([
      'min-windows xp is not one of the Windows releases 7, 8, 8.1, 10, 11',
    ]);
  });
});

describe('go-build-matrix verify', () => {
  const verify = (args: string[]): ReturnType<typeof cli> => cli(['verify', ...args], {}, os.tmpdir());

  it('takes --min-macos and --min-windows', async () => {
    const mac = await verify(['--target', 'darwin/arm64', '--min-macos', '12', file('1.27', 'darwin-arm64')]);
    expect(mac.code).toBe(1);
    const verdict = JSON.parse(mac.stdout) as VerifyResult;
    expect(verdict.floor?.release).toBe('macOS 13.0');
    expect(verdict.problems.join('\n')).toContain('but min-macos is 12');
    const win = await verify([
      '--target',
      'windows/amd64',
      '--min-windows',
      '10',
      file('1.27', 'windows-amd64'),
    ]);
    expect(win.code).toBe(0);
  });

  it('refuses a bad value as a usage error naming the input', async () => {
    const r = await verify([
      '--target',
      'windows/amd64',
      '--min-windows',
      '2000',
      file('1.27', 'windows-amd64'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Input 'min-windows': "2000" is not valid. Valid values: '7', '8', '8.1', '10', '11'.`,
    );
  });
});

/** llvm-lipo as Debian installs it (package llvm): unversioned or with the LLVM major. */
function llvmLipo(): string {
  const name = readdirSync('/usr/bin').find((n) => /^llvm-lipo(-\d+)?$/.test(n));
  if (!name) throw new Error('llvm-lipo is not installed (Debian package llvm)');
  return path.join('/usr/bin', name);
}

describe('a universal binary', () => {
  let dir = '';
  let fat = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'verify-floor-'));
    fat = path.join(dir, 'fat');
    // A Go 1.26 amd64 slice (macOS 12.0) and a Go 1.27 arm64 slice (macOS 13.0).
    await run(llvmLipo(), [
      '-create',
      file('1.26', 'darwin-amd64'),
      file('1.27', 'darwin-arm64'),
      '-output',
      fat,
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each slice its own floor and the highest at the top', async () => {
    const r = await verifyFile(fat, request(spec('darwin', 'universal')));
    expect(r.problems).toEqual([]);
    expect(r.slices?.map((s) => [s.machine, s.floor?.release])).toEqual([
      ['amd64', 'macOS 12.0'],
      ['arm64', 'macOS 13.0'],
    ]);
    expect(r.floor?.release).toBe('macOS 13.0');
  });

  it('fails only the slice that needs a newer macOS', async () => {
    const r = await verifyFile(fat, request(spec('darwin', 'universal'), { minMacos: '12' }));
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(
      /^arm64 slice: needs macOS 13\.0 \(LC_BUILD_VERSION minos says macOS 13\.0; Go 1\.27 supports macOS 13\.0 and later \(go\.dev\/doc\/go1\.27#darwin\)\) but min-macos is 12/,
    );
    expect(r.slices?.map((s) => s.ok)).toEqual([true, false]);
  });
});

describe('patched and cut headers', () => {
  let macho = Buffer.alloc(0);
  let pe = Buffer.alloc(0);
  let pe119 = Buffer.alloc(0);
  let freebsd = Buffer.alloc(0);
  const darwinReq = request(spec('darwin', 'arm64'), { minMacos: '12' });
  const windowsReq = request(spec('windows', '386'), { minWindows: '7' });
  beforeAll(async () => {
    macho = await readFile(file('1.27', 'darwin-arm64'));
    pe = await readFile(file('1.27', 'windows-386'));
    pe119 = await readFile(file('1.19', 'windows-386'));
    freebsd = await readFile(file('1.27', 'freebsd-amd64'));
  });

  /** The file offset of the first load command `cmd` in a 64-bit little-endian Mach-O. */
  const command = (b: Buffer, cmd: number): number => {
    for (let i = 0, at = 32; i < b.readUInt32LE(16); i++, at += b.readUInt32LE(at + 4))
      if (b.readUInt32LE(at) === cmd) return at;
    throw new Error(`no load command 0x${cmd.toString(16)}`);
  };
  const patched = async (
    base: Buffer,
    req: VerifyRequest,
    patch: (b: Buffer) => void,
  ): Promise<VerifyResult> => {
    const b = Buffer.from(base);
    patch(b);
    return verifySource(new BufferSource(b), req);
  };

  it("reads an older linker's LC_VERSION_MIN_MACOSX", async () => {
    const r = await patched(macho, darwinReq, (b) => {
      const at = command(b, 0x32);
      b.writeUInt32LE(0x24, at); // LC_VERSION_MIN_MACOSX, whose version sits where the platform did
      b.writeUInt32LE(0x000a0f00, at + 8); // 10.15.0
    });
    // The header asks for 10.15; Go 1.27 still needs 13.
    expect(r.floor).toEqual({
      os: 'macOS',
      version: '13.0',
      release: 'macOS 13.0',
      evidence:
        'LC_VERSION_MIN_MACOSX version says macOS 10.15; Go 1.27 supports macOS 13.0 and later (go.dev/doc/go1.27#darwin)',
    });
    expect(r.os).toBe('darwin');
  });

  it('reports a hostile minos and still fails the bound', async () => {
    const r = await patched(macho, darwinReq, (b) => b.writeUInt32LE(0xffffffff, command(b, 0x32) + 12));
    expect(r.floor?.release).toBe('macOS 65535.255.255');
    expect(r.problems.join('\n')).toContain('needs macOS 65535.255.255');
  });

  it.each([
    [
      'a build-version command too short for its minos',
      (b: Buffer): number => b.writeUInt32LE(8, command(b, 0x32) + 4),
    ],
    [
      'a build-version command running past the commands',
      (b: Buffer): number => b.writeUInt32LE(0x7fffffff, command(b, 0x32) + 4),
    ],
    ['load commands claiming more bytes than the file', (b: Buffer): number => b.writeUInt32LE(b.length, 20)],
  ])('%s is a verdict, not an exception', async (_, patch) => {
    const r = await patched(macho, darwinReq, patch);
    expect(r.ok).toBe(false);
    expect(r.floor).toBeNull();
    expect(r.problems[0]).toMatch(/load command|past the end|bad size/);
  });

  it('cuts inside the load commands are verdicts, not exceptions', async () => {
    const at = command(macho, 0x32);
    for (const n of [at, at + 4, at + 10, at + 20]) {
      const r = await verifySource(new BufferSource(macho.subarray(0, n)), darwinReq);
      expect(r.ok).toBe(false);
      expect(r.floor).toBeNull();
    }
  });

  it('takes the higher of the PE OS and subsystem versions', async () => {
    const opt = (b: Buffer): number => b.readUInt32LE(0x3c) + 24;
    const r = await patched(pe, windowsReq, (b) => {
      b.writeUInt16LE(6, opt(b) + 48); // MajorSubsystemVersion
      b.writeUInt16LE(2, opt(b) + 50);
    });
    expect(r.floor).toEqual({
      os: 'Windows',
      version: '10.0',
      release: 'Windows 10',
      evidence:
        'PE subsystem version 6.2, OS version 10.0 says Windows 10; Go 1.27 supports Windows 10 and later (go.dev/doc/go1.21#windows)',
    });
    // A Go 1.19 file, whose Go runs on Windows 7, patched to ask for XP: it runs on Windows 7.
    const old = await patched(pe119, windowsReq, (b) => {
      b.writeUInt16LE(5, opt(b) + 40);
      b.writeUInt16LE(1, opt(b) + 42);
      b.writeUInt16LE(5, opt(b) + 48);
      b.writeUInt16LE(1, opt(b) + 50);
    });
    expect(old.floor).toMatchObject({
      version: '6.1',
      release: 'Windows 7',
      evidence: expect.stringMatching(
        /^PE OS and subsystem version 5\.1 says Windows NT 5\.1; Go 1\.19 supports Windows 7 /,
      ),
    });
    expect(old.ok).toBe(true);
    const short = await patched(pe, windowsReq, (b) => b.writeUInt16LE(40, b.readUInt32LE(0x3c) + 20));
    expect(short.ok).toBe(false);
    expect(short.floor).toBeNull();
  });

  it('an ELF ABI note that is zero, short or overlong gives no floor and no exception', async () => {
    const note = freebsd.indexOf(Buffer.from('FreeBSD\0', 'latin1')) - 12;
    const zero = await patched(freebsd, request(spec('freebsd', 'amd64')), (b) =>
      b.writeUInt32LE(0, note + 20),
    );
    expect(zero.problems).toEqual([]);
    expect(zero.floor).toBeNull();
    const short = await patched(freebsd, request(spec('freebsd', 'amd64')), (b) =>
      b.writeUInt32LE(2, note + 4),
    );
    expect(short.floor).toBeNull();
    const long = await patched(freebsd, request(spec('freebsd', 'amd64')), (b) =>
      b.writeUInt32LE(0xffffff, note + 4),
    );
    expect(long.ok).toBe(false);
    expect(long.floor).toBeNull();
  });

  it('random bytes in the headers never make it throw, and every floor it reports is well formed', async () => {
    // `hot` ends the header bytes each file's floor is read from: load commands, PE headers, ELF notes.
    const bases = [
      { bytes: () => macho, req: darwinReq, hot: () => 32 + macho.readUInt32LE(20) },
      { bytes: () => pe, req: windowsReq, hot: () => pe.readUInt32LE(0x3c) + 24 + 96 },
      { bytes: () => freebsd, req: request(spec('freebsd', 'amd64')), hot: () => 0x1000 },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.array(
          fc.record({ at: fc.nat(), value: fc.nat({ max: 0xffffffff }), width: fc.constantFrom(1, 2, 4) }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (base, patches) => {
          const hot = base.hot();
          const r = await patched(base.bytes(), base.req, (b) => {
            for (const p of patches) {
              const at = p.at % (hot - p.width);
              if (p.width === 1) b.writeUInt8(p.value & 0xff, at);
              else if (p.width === 2) b.writeUInt16LE(p.value & 0xffff, at);
              else b.writeUInt32LE(p.value, at);
            }
          });
          if (r.floor !== null) {
            expect(r.floor.os).toMatch(/\S/);
            expect(r.floor.version).toMatch(/^\d+(\.\d+)+$/);
            expect(r.floor.release).toMatch(/\S/);
            expect(r.floor.evidence).toMatch(/\S/);
          }
          expect(r.ok).toBe(r.problems.length === 0);
        },
      ),
      { seed: 0x51007, numRuns: 2000 },
    );
  });
});
