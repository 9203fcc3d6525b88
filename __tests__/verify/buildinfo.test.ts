// Build info decoding on synthetic files: the pre-1.18 pointer form through ELF, PE and Mach-O address
// translation, the inline form in both byte orders, the sentinel fallback, and module-info line parsing.
import { describe, expect, it } from '@jest/globals';
import type { VerifyRequest } from '../../src/verify/index.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { parseModinfo, unquote } from '../../src/verify/modinfo.js';
import { elf, framed, inlineBlob, legacyBlob, macho, pe } from './synthetic.js';

const MODINFO = [
  'path\texample.com/old/cmd/tool',
  'mod\texample.com/old\tv1.2.3\th1:abc=',
  'dep\tgolang.org/x/sys\tv0.1.0\th1:def=',
  'dep\texample.com/nosum\tv0.0.1',
  'build\t-compiler=gc',
  'build\t-ldflags="-s -w -X \\"main.version=1.0\\""',
  'build\t`weird key`=`raw value`',
  'build\tCGO_ENABLED=0',
  'build\tGOARCH=amd64',
  'build\tGOOS=linux',
  'build\tGOAMD64=v3',
  '',
].join('\n');

const req = (goos: string, goarch: string, variant: VerifyRequest['variant'] = null): VerifyRequest => ({
  goos,
  goarch,
  variant,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
});

describe('pre-1.18 (pointer form) build info', () => {
  it('ELF64 LSB: pointers translated through PT_LOAD', async () => {
    const base = 0x400000n;
    const file = elf({
      bits: 64,
      endian: 'little',
      machine: 62,
      base,
      data: legacyBlob(base + 0x1000n, 8, 'little', 'go1.16.15', MODINFO),
    });
    const r = await verifySource(
      new BufferSource(file),
      req('linux', 'amd64', { name: 'GOAMD64', value: 'v3' }),
    );
    expect(r.problems).toEqual([]);
    expect(r.buildinfo).toEqual({
      goVersion: 'go1.16.15',
      path: 'example.com/old/cmd/tool',
      module: 'example.com/old',
      moduleVersion: 'v1.2.3',
      moduleSum: 'h1:abc=',
      settings: {
        '-compiler': 'gc',
        '-ldflags': '-s -w -X "main.version=1.0"',
        'weird key': 'raw value',
        CGO_ENABLED: '0',
        GOARCH: 'amd64',
        GOOS: 'linux',
        GOAMD64: 'v3',
      },
      deps: [
        { path: 'golang.org/x/sys', version: 'v0.1.0', sum: 'h1:def=' },
        { path: 'example.com/nosum', version: 'v0.0.1', sum: null },
      ],
    });
  });

  it('ELF32 MSB (linux/mips): big-endian 4-byte pointers', async () => {
    const base = 0x10000n;
    const mod = 'path\tx\nmod\tx\t(devel)\t\nbuild\tGOARCH=mips\nbuild\tGOOS=linux\n';
    const file = elf({
      bits: 32,
      endian: 'big',
      machine: 8,
      flags: 0x50001004,
      base,
      data: legacyBlob(base + 0x1000n, 4, 'big', 'go1.17.13', mod),
    });
    const r = await verifySource(new BufferSource(file), req('linux', 'mips'));
    expect(r.problems).toEqual([]);
    expect(r.buildinfo?.goVersion).toBe('go1.17.13');
    expect(r.buildinfo?.settings.GOARCH).toBe('mips');
  });

  it('PE: pointers are ImageBase + section RVA', async () => {
    const imageBase = 0x140000000n;
    const mod = 'path\tx\nbuild\tGOARCH=amd64\nbuild\tGOOS=windows\n';
    const file = pe(legacyBlob(imageBase + 0x1000n, 8, 'little', 'go1.15.15', mod), imageBase);
    const r = await verifySource(new BufferSource(file), req('windows', 'amd64'));
    expect(r.problems).toEqual([]);
    expect(r.buildinfo?.goVersion).toBe('go1.15.15');
    expect(r.linkage).toBe('static');
  });

  it('Mach-O: pointers translated through segments', async () => {
    const vm = 0x100002000n;
    const mod = 'path\tx\nbuild\tGOARCH=amd64\nbuild\tGOOS=darwin\n';
    const r = await verifySource(
      new BufferSource(macho(64, legacyBlob(vm, 8, 'little', 'go1.16.1', mod), vm, 1)),
      req('darwin', 'amd64'),
    );
    expect(r.buildinfo?.goVersion).toBe('go1.16.1');
    // No dylinker in this synthetic file, so it reads as static; only the build info matters here.
    expect(r.problems).toEqual([]);
  });

  it('a pointer outside every segment is "no build info", not a crash', async () => {
    const base = 0x400000n;
    const file = elf({
      bits: 64,
      endian: 'little',
      machine: 62,
      base,
      data: legacyBlob(0x7000000n, 8, 'little', 'go1.16', MODINFO),
    });
    const r = await verifySource(new BufferSource(file), req('linux', 'amd64'));
    // The sentinel fallback still finds the module info, but not the version.
    expect(r.buildinfo?.goVersion).toBeNull();
    expect(r.buildinfo?.settings.GOOS).toBe('linux');
  });
});

describe('inline (Go ≥ 1.18) build info and the sentinel fallback', () => {
  it('reads a big-endian 64-bit inline blob', async () => {
    const mod = 'path\tx\nbuild\tGOARCH=s390x\nbuild\tGOOS=linux\n';
    const base = 0x10000n;
    const file = elf({
      bits: 64,
      endian: 'big',
      machine: 22,
      flags: 1,
      base,
      data: inlineBlob(8, 'big', 'go1.20.1', mod),
    });
    const r = await verifySource(new BufferSource(file), req('linux', 's390x'));
    expect(r.problems).toEqual([]);
    expect(r.buildinfo?.goVersion).toBe('go1.20.1');
  });

  it('ignores an unaligned magic and falls back to the module info sentinels', async () => {
    const mod = 'path\tx\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\n';
    const base = 0x400000n;
    const data = Buffer.concat([
      Buffer.alloc(3),
      inlineBlob(8, 'little', 'go1.21.0', '').subarray(0, 32),
      framed(mod),
    ]);
    const r = await verifySource(
      new BufferSource(elf({ bits: 64, endian: 'little', machine: 62, base, data })),
      req('linux', 'amd64'),
    );
    expect(r.buildinfo?.goVersion).toBeNull();
    expect(r.buildinfo?.settings.GOARCH).toBe('amd64');
  });

  it('notes a missing GOOS or GOARCH, and fails one the headers contradict', async () => {
    const withMod = (mod: string): BufferSource =>
      new BufferSource(
        elf({
          bits: 64,
          endian: 'little',
          machine: 62,
          base: 0x400000n,
          data: inlineBlob(8, 'little', 'go1.26.0', mod),
        }),
      );
    const onlyOs = await verifySource(withMod('path\tx\nbuild\tGOOS=linux\n'), req('linux', 'amd64'));
    expect(onlyOs.problems).toEqual([]);
    expect(onlyOs.notes).toContain(
      'build info (go1.26.0) records no GOARCH (Go writes both since 1.18): only the headers were checked for GOARCH',
    );
    const onlyArch = await verifySource(withMod('path\tx\nbuild\tGOARCH=amd64\n'), req('linux', 'amd64'));
    expect(onlyArch.notes).toContain(
      'build info (go1.26.0) records no GOOS (Go writes both since 1.18): only the headers were checked for GOOS',
    );
    const neither = await verifySource(withMod('path\tx\n'), req('linux', 'amd64'));
    expect(neither.notes).toContain(
      'build info (go1.26.0) records no GOOS or GOARCH (Go writes both since 1.18): only the headers were checked for GOOS and GOARCH',
    );
    // Build info that agrees with the target but not with the headers names both.
    const arm = await verifySource(
      withMod('path\tx\nbuild\tGOARCH=arm64\nbuild\tGOOS=linux\n'),
      req('linux', 'arm64'),
    );
    expect(arm.ok).toBe(false);
    expect(arm.problems.join('\n')).toMatch(/^build info says GOARCH=arm64 but the headers say amd64 \(/m);
    const os = await verifySource(
      withMod('path\tx\nbuild\tGOARCH=amd64\nbuild\tGOOS=windows\n'),
      req('windows', 'amd64'),
    );
    expect(os.problems.join('\n')).toMatch(/^build info says GOOS=windows but the headers say linux/m);
  });

  it('no build info at all is a problem', async () => {
    const file = elf({ bits: 64, endian: 'little', machine: 62, base: 0x400000n, data: Buffer.alloc(64) });
    const r = await verifySource(new BufferSource(file), req('linux', 'amd64'));
    expect(r.problems).toEqual(['no Go build info found: not a Go executable, or stripped/truncated']);
  });
});

describe('32-bit Mach-O', () => {
  it('is read as Mach-O 32-bit i386', async () => {
    const vm = 0x2000n;
    const mod = 'path\tx\nbuild\tGOARCH=386\nbuild\tGOOS=darwin\n';
    const r = await verifySource(
      new BufferSource(macho(32, legacyBlob(vm, 4, 'little', 'go1.14', mod), vm, 1)),
      req('darwin', '386'),
    );
    expect(r).toMatchObject({ ok: true, format: 'macho', bits: 32, machine: '386', os: 'darwin' });
    expect(
      (await verifySource(new BufferSource(macho(32, Buffer.alloc(64), vm, null)), req('darwin', '386'))).os,
    ).toBe('ios');
  });
});

describe('module info lines', () => {
  it('unquotes like strconv.Unquote', () => {
    expect(unquote('"-s -w"')).toBe('-s -w');
    expect(unquote('"a\\tb\\x41\\101\\u00e9\\U0001F600\\\\\\""')).toBe('a\tbAAé😀\\"');
    expect(unquote('`raw \\n`')).toBe('raw \\n');
    for (const bad of ['"unterminated', '"bad \\q escape"', '"a"b"', '`a`b`', '"\\400"', '"\\ud800"', '"x']) {
      expect(unquote(bad)).toBeNull();
    }
  });

  it('keeps hostile keys as plain keys', () => {
    const m = parseModinfo('build\t__proto__=x\nbuild\tconstructor=y\nbuild\t="nokey"\nbuild\tnoequals\n');
    expect(Object.getPrototypeOf(m.settings)).toBe(Object.prototype);
    expect(Object.keys(m.settings).sort()).toEqual(['__proto__', 'constructor']);
  });
});
