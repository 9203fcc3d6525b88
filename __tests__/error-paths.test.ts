// Error paths no other test takes (listed by `npm run coverage:throws`): each is triggered for
// real and its message must name the input or file at fault and say what to do about it.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../src/options/errors.js';
import { resolveExtraFiles } from '../src/package/extra-files.js';
import { writeUniversal } from '../src/package/universal.js';
import { readGoBuilds } from '../src/sbom/buildinfo.js';
import { writeSboms } from '../src/sbom/index.js';
import { tempDir } from './support/engine.js';
import { goEnv, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.26');

/** `go build` of a one-file main package in `dir`, for GOOS/GOARCH, with extra environment. */
async function goBuild(
  dir: string,
  out: string,
  goos: string,
  goarch: string,
  extra: Record<string, string> = {},
) {
  await execFileAsync(tc.go, ['build', '-trimpath', '-o', out, '.'], {
    cwd: dir,
    env: goEnv(tc, { GOOS: goos, GOARCH: goarch, CGO_ENABLED: '0', ...extra }),
  });
  return out;
}

/** A module `modulePath` with a main package that prints `word`. */
function mainModule(modulePath: string | null, word: string): string {
  const dir = tempDir('error-paths-src');
  if (modulePath !== null) writeFileSync(path.join(dir, 'go.mod'), `module ${modulePath}\n\ngo 1.21\n`);
  writeFileSync(
    path.join(dir, 'main.go'),
    `package main\n\nfunc main() { println(${JSON.stringify(word)}) }\n`,
  );
  return dir;
}

const CTX = { tool: { name: 'go-build-matrix', version: '0.0.0-test' }, timestamp: new Date(0) };

describe('extra-files', () => {
  it('refuses a symlink that leads out of working-directory, naming the line, where it leads and the fix', async () => {
    const base = tempDir('extra-base');
    const outside = tempDir('extra-outside');
    writeFileSync(path.join(outside, 'secret.txt'), 'not to be shipped\n');
    mkdirSync(path.join(base, 'docs'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(base, 'docs', 'NOTICE'));
    const err = await resolveExtraFiles(['docs/*'], base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe(
      `Input 'extra-files': "docs/*" is not valid. It matches docs/NOTICE (a symlink to ${path.join(outside, 'secret.txt')}), which is outside ${base}; name only files inside working-directory, and copy a file in rather than link to it.`,
    );
  });
});

describe('universal binary', () => {
  it('refuses a slice that is no 64-bit Mach-O, naming it, the universal file and the fix', async () => {
    const dir = tempDir('universal');
    const elf = await goBuild(mainModule('example.com/u', 'u'), path.join(dir, 'u-linux'), 'linux', 'amd64');
    const dest = path.join(dir, 'u-darwin-universal');
    await expect(writeUniversal(dest, [{ file: elf, bytes: readFileSync(elf) }])).rejects.toThrow(
      `${elf} is not a 64-bit little-endian Mach-O file, so it cannot be a slice of ${dest}; a universal binary is made of darwin/amd64 and darwin/arm64 executables (set 'universal' to false to build none)`,
    );
  });

  it('refuses two slices of one CPU type, naming both files', async () => {
    const dir = tempDir('universal');
    const src = mainModule('example.com/u', 'u');
    const one = await goBuild(src, path.join(dir, 'one'), 'darwin', 'arm64');
    const two = await goBuild(src, path.join(dir, 'two'), 'darwin', 'arm64', { GOARM64: 'v8.1' });
    const dest = path.join(dir, 'u-darwin-universal');
    await expect(
      writeUniversal(dest, [
        { file: one, bytes: readFileSync(one) },
        { file: two, bytes: readFileSync(two) },
      ]),
    ).rejects.toThrow(
      `${one} and ${two} are both of CPU type 0x100000c, and ${dest} can hold one slice per CPU type; give it one darwin/amd64 and one darwin/arm64 executable`,
    );
  });

  it('refuses to write a 32-bit fat header for more than 4 GiB of slices, naming the file and the fix', async () => {
    const dir = tempDir('universal');
    const src = mainModule('example.com/u', 'u');
    const amd64 = await goBuild(src, path.join(dir, 'amd64'), 'darwin', 'amd64');
    const arm64 = await goBuild(src, path.join(dir, 'arm64'), 'darwin', 'arm64');
    // A 4 GiB slice is not allocated: the header is checked before any byte is copied, so a
    // Buffer that reports that length is enough to reach the limit.
    const huge = readFileSync(arm64);
    Object.defineProperty(huge, 'length', { value: 2 ** 32 });
    const dest = path.join(dir, 'u-darwin-universal');
    const err = await writeUniversal(dest, [
      { file: amd64, bytes: readFileSync(amd64) },
      { file: arm64, bytes: huge },
    ]).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^${dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} would be \\d+ bytes, and a universal binary over 4 GiB needs the 64-bit fat format, which this does not write; set 'universal' to false and ship the darwin binaries apart$`,
      ),
    );
  });
});

describe('SBOM build info', () => {
  it('refuses a file the verifier cannot read, naming it and the sbom input', async () => {
    const file = path.join(tempDir('sbom-text'), 'app');
    writeFileSync(file, '#!/bin/sh\necho not a binary\n');
    await expect(
      writeSboms({ file, target: 'linux/amd64', sha256: '0'.repeat(64) }, ['cyclonedx'], CTX),
    ).rejects.toThrow(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no readable Go build info: .+; an SBOM describes a Go executable \\(set 'sbom' to 'none' to write no SBOM\\)$`,
      ),
    );
  });

  it('refuses a GOPATH-mode build, which records no main module, and says to build in module mode', async () => {
    const dir = tempDir('sbom-gopath');
    const bin = await goBuild(mainModule(null, 'gopath'), path.join(dir, 'app'), 'linux', 'amd64', {
      GO111MODULE: 'off',
      GOPATH: tempDir('gopath'),
    });
    await expect(readGoBuilds(bin)).rejects.toThrow(
      `${bin} records no main module in its Go build info (a GOPATH-mode build): build it in module mode, with a go.mod (or set 'sbom' to 'none' to write no SBOM)`,
    );
  });

  it('refuses a universal binary whose slices come from two modules, naming both', async () => {
    const dir = tempDir('sbom-two-modules');
    const amd64 = await goBuild(
      mainModule('example.com/one', 'one'),
      path.join(dir, 'amd64'),
      'darwin',
      'amd64',
    );
    const arm64 = await goBuild(
      mainModule('example.com/two', 'two'),
      path.join(dir, 'arm64'),
      'darwin',
      'arm64',
    );
    const fat = path.join(dir, 'app-darwin-universal');
    await writeUniversal(fat, [
      { file: amd64, bytes: readFileSync(amd64) },
      { file: arm64, bytes: readFileSync(arm64) },
    ]);
    await expect(readGoBuilds(fat)).rejects.toThrow(
      `${fat}: its slices were built from different main modules (example.com/one (devel), example.com/two (devel)), and one SBOM describes one; build every slice from the same module (or set 'sbom' to 'none' to write no SBOM)`,
    );
  });
});
