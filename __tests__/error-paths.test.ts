// Error paths no other test takes (listed by `npm run coverage:throws`): each is triggered for
// real and its message must name the input or file at fault and say what to do about it.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { run } from '../src/exec.js';
import { MemoryLogger } from '../src/log.js';
import { InputError } from '../src/options/errors.js';
import { uploadArtifacts } from '../src/upload/index.js';
import { parseOptions } from '../src/options/options.js';
import { verifyFile } from '../src/verify/index.js';
import { resolveExtraFiles } from '../src/package/extra-files.js';
import { writeUniversal } from '../src/package/universal.js';
import { readGoBuilds } from '../src/sbom/buildinfo.js';
import { cycloneDx } from '../src/sbom/cyclonedx.js';
import { writeSboms } from '../src/sbom/index.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from './support/toolchains.js';

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

describe('archives', () => {
  it("refuse an extra file of the binary's own name, naming it, the input and the fix", async () => {
    const dir = tempDir('extra-clash');
    copyModule(EXAMPLE_MODULE, dir);
    writeFileSync(path.join(dir, 'hello'), 'a file named like the binary\n');
    await expect(
      build(tc, { targets: 'linux/amd64', 'working-directory': dir, 'extra-files': 'hello' }),
    ).rejects.toThrow(
      `extra-files: ${path.join(dir, 'hello')} would replace the binary hello in the archive; rename that file, or leave it out of 'extra-files'`,
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

describe('inputs refused before any build', () => {
  const parse = (inputs: Record<string, string>) => () => parseOptions(inputs, '/');

  it('a NUL character in any input, naming the input', () => {
    expect(parse({ version: 'a\0b' })).toThrow(
      `Input 'version': "a\\u0000b" is not valid. It contains a NUL character, which no file name or command argument can hold.`,
    );
  });

  it('an extra-files line that leaves working-directory, with examples of what to write', () => {
    expect(parse({ 'extra-files': '../LICENSE' })).toThrow(
      /^Input 'extra-files': "\.\.\/LICENSE" is not valid\. Name files inside working-directory with a relative path or glob \(e\.g\. 'LICENSE', 'docs\/\*\.md'\), without '\.\.'/,
    );
  });

  it('a GOFIPS140 value Go does not take, listing the ones it does', () => {
    expect(parse({ env: 'GOFIPS140=yes' })).toThrow(
      /^Input 'env': "GOFIPS140=yes" is not valid\. GOFIPS140 takes off, latest, inprocess, certified or a FIPS module version/,
    );
  });
});

describe('the module and its packages', () => {
  it('a working-directory outside any module, saying to point it at the module', async () => {
    const dir = tempDir('no-module');
    writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
    await expect(build(tc, { targets: 'linux/amd64', 'working-directory': dir })).rejects.toThrow(
      `Input 'working-directory': ${JSON.stringify(dir)} is not valid. It is not inside a Go module (no go.mod in it or above it); set it to the module's directory.`,
    );
  });

  it('a package directory outside the module, naming both and an example', async () => {
    const dir = tempDir('outside-package');
    copyModule(EXAMPLE_MODULE, path.join(dir, 'app'));
    mkdirSync(path.join(dir, 'tool'));
    await expect(
      build(tc, { targets: 'linux/amd64', 'working-directory': path.join(dir, 'app'), package: '../tool' }),
    ).rejects.toThrow(
      `Input 'package': "../tool" is not valid. It is the directory ${path.join(dir, 'tool')}, outside the module example.com/hello (${path.join(dir, 'app')}); name a main package inside it, e.g. ./cmd/app.`,
    );
  });

  it('GOFIPS140 with a Go older than 1.24, naming the version and the fix', async () => {
    await expect(
      build(toolchain('1.23'), {
        targets: 'linux/amd64',
        'working-directory': EXAMPLE_MODULE,
        env: 'GOFIPS140=latest',
      }),
    ).rejects.toThrow(
      /^Input 'env': "GOFIPS140=latest" is not valid\. GOFIPS140 needs Go 1\.24 or newer, and go1\.23\.\d+ would build without the FIPS 140 module; install a newer Go before this step or drop the line\.$/,
    );
  });
});

describe('file names the plan refuses', () => {
  it('a name-template element longer than file systems allow, naming the target and the limit', async () => {
    const long = 'x'.repeat(300);
    await expect(
      build(tc, {
        targets: 'linux/amd64',
        'working-directory': EXAMPLE_MODULE,
        'name-template': `${long}-{goos}`,
      }),
    ).rejects.toThrow(
      /^Input 'name-template': ".*" is not valid\. For .* it gives a file name element of 306 bytes; file systems allow 255/,
    );
  });

  it('an ldflags value the linker cannot take once {version} is filled in, naming the value', async () => {
    await expect(
      build(tc, {
        targets: 'linux/amd64',
        'working-directory': EXAMPLE_MODULE,
        version: `1 "a" 'b'`,
        ldflags: '-X main.version={version}',
      }),
    ).rejects.toThrow(
      `Input 'ldflags': "-X main.version={version}" is not valid. It cannot be passed to the linker: a value that contains spaces and both kinds of quotes cannot be passed to the linker: main.version=1 "a" 'b'.`,
    );
  });
});

describe('output-dir', () => {
  it('a regular file: nothing can be written there, naming the input and the file', async () => {
    const file = path.join(tempDir('not-a-dir'), 'file');
    writeFileSync(file, '');
    const outputDir = file;
    await expect(
      build(tc, { targets: 'linux/amd64', 'working-directory': EXAMPLE_MODULE, 'output-dir': outputDir }),
    ).rejects.toThrow(
      `Input 'output-dir': ${JSON.stringify(outputDir)} is not valid. Nothing can be written there: ENOTDIR: not a directory, mkdir '${file}'.`,
    );
  });
});

describe('a go on PATH that does not answer as Go does', () => {
  /** A `go` first on PATH: a shell script that answers `when` with `text` and else runs the real go. */
  function fakeGo(when: string, text: string): Record<string, string> {
    const dir = tempDir('fake-go');
    const script = path.join(dir, 'go');
    writeFileSync(
      script,
      `#!/bin/sh\nif [ "$*" = ${JSON.stringify(when)} ]; then echo ${JSON.stringify(text)}; exit 0; fi\nexec ${tc.go} "$@"\n`,
    );
    chmodSync(script, 0o755);
    return { PATH: `${dir}:${goEnv(tc).PATH ?? ''}` };
  }

  it('for go version, naming what it printed and the fix', async () => {
    const env = fakeGo('version', 'gccgo (GCC) 14.2.0');
    await expect(
      build(tc, { targets: 'linux/amd64', 'working-directory': EXAMPLE_MODULE }, env),
    ).rejects.toThrow(
      "cannot read the Go version from: gccgo (GCC) 14.2.0; the go first on PATH does not answer 'go version' as Go does: put a Go toolchain first on PATH",
    );
  });

  it('for go env -json, naming the command, what it printed and the fix', async () => {
    const env = fakeGo('env -json', 'GOOS=linux');
    await expect(
      build(tc, { targets: 'linux/amd64', 'working-directory': EXAMPLE_MODULE }, env),
    ).rejects.toThrow(
      /go env -json.* did not print JSON: GOOS=linux\n?; the go first on PATH does not answer as Go does: put a Go toolchain first on PATH/,
    );
  });
});

describe('verifyFile', () => {
  it('refuses a directory, naming it', async () => {
    const dir = tempDir('verify-dir');
    await expect(
      verifyFile(dir, {
        goos: 'linux',
        goarch: 'amd64',
        variant: null,
        cgoEnabled: '0',
        linkage: 'static',
        maxGlibc: null,
      }),
    ).rejects.toThrow(`${dir} is not a regular file`);
  });
});

describe('guards no caller of the engine reaches', () => {
  it('an SBOM of no build at all: nothing to describe, naming the file', () => {
    // readGoBuilds never gives []: a fat header of 0 slices is already "no readable Go build info".
    const file = path.join(tempDir('sbom-none'), 'app');
    expect(() => cycloneDx({ file, target: 'linux/amd64', sha256: '0'.repeat(64) }, [], CTX)).toThrow(
      `${file}: no build info to describe`,
    );
  });

  it('an upload of something that is not a file, naming it', async () => {
    const root = tempDir('upload-dir');
    mkdirSync(path.join(root, 'sub'));
    await expect(
      uploadArtifacts(
        {
          mode: 'per-target',
          rootDirectory: root,
          targets: [{ artifactName: 'app-linux-amd64', files: [path.join(root, 'sub')] }],
          combinedName: 'app',
          sharedFiles: [],
          retentionDays: null,
          env: { ACTIONS_RUNTIME_TOKEN: 'unused', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' },
        },
        new MemoryLogger(),
      ),
    ).rejects.toThrow(`Cannot upload ${path.join(root, 'sub')}: it is not a file`);
  });

  it('a command with no argv', () => {
    expect(() => run([], { cwd: '/', env: {} })).toThrow('run: empty argv');
  });
});
