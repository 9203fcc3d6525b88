// Independent witnesses for what a built file is: file(1) and `go version -m`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export async function describeFile(file: string): Promise<string> {
  const { stdout } = await execFileAsync('file', ['-b', file]);
  return stdout.trim();
}

export interface GoVersionM {
  goVersion: string;
  path: string;
  settings: Record<string, string>;
}

/** Parses `go version -m FILE`: the Go version, the main package path and the `build` settings. */
export async function goVersionM(go: string, file: string): Promise<GoVersionM> {
  const { stdout } = await execFileAsync(go, ['version', '-m', file], {
    env: { ...process.env, GOFLAGS: '' },
  });
  const lines = stdout.split('\n');
  const settings: Record<string, string> = {};
  let pkgPath = '';
  for (const line of lines.slice(1)) {
    const fields = line.trim().split('\t');
    if (fields[0] === 'path') pkgPath = fields[1] ?? '';
    if (fields[0] === 'build') {
      const setting = fields.slice(1).join('\t');
      const eq = setting.indexOf('=');
      settings[setting.slice(0, eq)] = setting.slice(eq + 1);
    }
  }
  const goVersion = (/:\s+(go\S+)/.exec(lines[0] ?? '') ?? [])[1] ?? '';
  return { goVersion, path: pkgPath, settings };
}

/** What file(1) 5.44 says about a Go executable of each target the suite builds. */
export const FILE_SAYS: Readonly<Record<string, RegExp>> = {
  'linux/amd64': /^ELF 64-bit LSB executable, x86-64, .*statically linked/,
  'linux/386': /^ELF 32-bit LSB executable, Intel 80386, .*statically linked/,
  'linux/arm': /^ELF 32-bit LSB executable, ARM, EABI5 .*statically linked/,
  'linux/arm64': /^ELF 64-bit LSB executable, ARM aarch64, .*statically linked/,
  'darwin/amd64': /^Mach-O 64-bit x86_64 executable/,
  'darwin/arm64': /^Mach-O 64-bit arm64 executable/,
  'windows/386': /^PE32 executable \(console\) Intel 80386/,
  'windows/amd64': /^PE32\+ executable \(console\) x86-64/,
  'windows/arm64': /^PE32\+ executable \(console\) Aarch64/,
  'freebsd/386': /^ELF 32-bit LSB executable, Intel 80386, .*\(FreeBSD\)/,
  'linux/riscv64': /^ELF 64-bit LSB executable, UCB RISC-V, .*statically linked/,
};
