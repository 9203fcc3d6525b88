// Test helpers for code signatures: where a Mach-O keeps its signature and its __text, a signature
// removed the way `codesign --remove-signature` does it, and real signed release binaries from npm.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../support/engine.js';
import { SUITE_CACHE_DIR } from '../support/toolchains.js';

const run = promisify(execFile);

const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;

interface LoadCommand {
  cmd: number;
  at: number;
  size: number;
}

/** The load commands of a thin 64-bit little-endian Mach-O (what Go writes for darwin). */
function loadCommands(b: Buffer): LoadCommand[] {
  const out: LoadCommand[] = [];
  for (let i = 0, at = 32; i < b.readUInt32LE(16); i++) {
    const size = b.readUInt32LE(at + 4);
    out.push({ cmd: b.readUInt32LE(at), at, size });
    at += size;
  }
  return out;
}

/** LC_CODE_SIGNATURE's dataoff and datasize. */
export function signatureRange(b: Buffer): { offset: number; size: number } | null {
  const lc = loadCommands(b).find((c) => c.cmd === LC_CODE_SIGNATURE);
  return lc ? { offset: b.readUInt32LE(lc.at + 8), size: b.readUInt32LE(lc.at + 12) } : null;
}

/** The file range of section `name` in segment `segment`. */
export function sectionRange(b: Buffer, segment: string, name: string): { offset: number; size: number } {
  for (const c of loadCommands(b).filter((c) => c.cmd === LC_SEGMENT_64)) {
    if (b.toString('latin1', c.at + 8, c.at + 24).replace(/\0+$/, '') !== segment) continue;
    for (let j = 0; j < b.readUInt32LE(c.at + 64); j++) {
      const s = c.at + 72 + j * 80;
      if (b.toString('latin1', s, s + 16).replace(/\0+$/, '') === name)
        return { offset: b.readUInt32LE(s + 48), size: Number(b.readBigUInt64LE(s + 40)) };
    }
  }
  throw new Error(`no ${segment},${name} section`);
}

/**
 * The file without its signature, as `codesign --remove-signature` leaves it: the load command taken
 * out, the header's counts lowered, the signature cut off the end and __LINKEDIT shortened to match.
 */
export function removeSignature(original: Buffer): Buffer {
  const b = Buffer.from(original);
  const cmds = loadCommands(b);
  const sig = cmds.find((c) => c.cmd === LC_CODE_SIGNATURE);
  if (!sig) throw new Error('the file has no LC_CODE_SIGNATURE');
  const dataoff = b.readUInt32LE(sig.at + 8);
  const end = 32 + b.readUInt32LE(20);
  b.copy(b, sig.at, sig.at + sig.size, end);
  b.fill(0, end - sig.size, end);
  b.writeUInt32LE(b.readUInt32LE(16) - 1, 16);
  b.writeUInt32LE(b.readUInt32LE(20) - sig.size, 20);
  for (const c of loadCommands(b).filter((c) => c.cmd === LC_SEGMENT_64)) {
    if (b.toString('latin1', c.at + 8, c.at + 24).replace(/\0+$/, '') !== '__LINKEDIT') continue;
    const fileoff = Number(b.readBigUInt64LE(c.at + 40));
    b.writeBigUInt64LE(BigInt(dataoff - fileoff), c.at + 48);
  }
  return b.subarray(0, dataoff);
}

/**
 * `macho` (a thin file, or one slice's bytes) with the byte at `at` flipped and that page's hash in every
 * CodeDirectory recomputed: pages and CodeDirectories agree again, as a tamperer who re-hashes would leave
 * them; only a signature over the CodeDirectory can tell.
 */
export function flipAndRehash(macho: Buffer, at: number): Buffer {
  const b = Buffer.from(macho);
  b[at] = (b[at] as number) ^ 0x01;
  const sig = signatureRange(b);
  if (!sig) throw new Error('no signature');
  const count = b.readUInt32BE(sig.offset + 8);
  for (let i = 0; i < count; i++) {
    const type = b.readUInt32BE(sig.offset + 12 + i * 8);
    if (type !== 0 && (type < 0x1000 || type > 0x1004)) continue;
    const cd = sig.offset + b.readUInt32BE(sig.offset + 16 + i * 8);
    const hashOffset = b.readUInt32BE(cd + 16);
    const hashSize = b[cd + 36] as number;
    const algorithm = ({ 1: 'sha1', 2: 'sha256', 3: 'sha256', 4: 'sha384' } as Record<number, string>)[
      b[cd + 37] as number
    ];
    const page = 2 ** (b[cd + 39] as number);
    const n = Math.floor(at / page);
    const digest = createHash(algorithm ?? 'sha256')
      .update(b.subarray(n * page, Math.min((n + 1) * page, sig.offset)))
      .digest();
    digest.copy(b, cd + hashOffset + n * hashSize, 0, hashSize);
  }
  return b;
}

/** A signed program that another project ships in an npm package, pinned. */
export interface NpmBinary {
  spec: string;
  /** The executable inside the package. */
  file: string;
  /** How it was signed: the linker's ad hoc signature, a Developer ID certificate, or Authenticode. */
  signature: 'adhoc' | 'developer-id' | 'authenticode';
}

/** esbuild: a Go program, ad hoc signed by Go's linker. */
export const ESBUILD: NpmBinary = {
  spec: '@esbuild/darwin-arm64@0.25.0',
  file: 'package/bin/esbuild',
  signature: 'adhoc',
};
/** Biome: a Rust program, ad hoc signed by Apple's linker (ld64), with its own identifier. */
export const BIOME: NpmBinary = {
  spec: '@biomejs/cli-darwin-arm64@2.0.0',
  file: 'package/biome',
  signature: 'adhoc',
};
/** sentry-cli: a universal Rust binary, both slices signed with Sentry's Developer ID (team 97JCY7859U). */
export const SENTRY: NpmBinary = {
  spec: '@sentry/cli-darwin@3.8.0',
  file: 'package/bin/sentry-cli',
  signature: 'developer-id',
};

/** vsce-sign: a Windows program signed by Microsoft with signtool, timestamped by Microsoft's TSA. */
export const VSCE_SIGN: NpmBinary = {
  spec: '@vscode/vsce-sign-win32-x64@2.0.6',
  file: 'package/bin/vsce-sign.exe',
  signature: 'authenticode',
};

const NPM_DIR = path.join(SUITE_CACHE_DIR, 'npm-binaries');

/** The package's executable: `npm pack` once into the suite cache, then read from there. */
export async function npmBinary(b: NpmBinary): Promise<string> {
  const dir = path.join(NPM_DIR, b.spec.replace(/[@/]/g, '_'));
  const file = path.join(dir, b.file);
  if (existsSync(file)) return file;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', tmp, b.spec], {
    cwd: tmp,
    timeout: 300_000,
  });
  const tarball = stdout.trim().split('\n').at(-1) ?? '';
  await run('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp]);
  await rm(path.join(tmp, tarball));
  if (!(await readdir(tmp)).includes('package')) throw new Error(`npm pack ${b.spec} gave no package/`);
  await rename(tmp, dir).catch(async (e: unknown) => {
    // Another test process put it there first.
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(file)) throw e;
  });
  return file;
}

/** A self-signed certificate and its key (PEM files in `dir`), made by openssl for one extended key usage. */
export async function selfSigned(
  dir: string,
  subject: string,
  extendedKeyUsage: string,
): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    subject,
    '-addext',
    `extendedKeyUsage=${extendedKeyUsage}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key, cert };
}

/**
 * `pe` Authenticode-signed by osslsigncode (Debian's package, .ci/install-system-deps) with a
 * self-signed code-signing certificate made here by openssl; `digest` is osslsigncode's -h.
 */
export async function signPe(pe: Buffer, digest: 'sha256' | 'sha1' | 'sha512' = 'sha256'): Promise<Buffer> {
  const dir = tempDir('authenticode');
  const [input, output] = ['in.exe', 'out.exe'].map((f) => path.join(dir, f)) as [string, string];
  const { key, cert } = await selfSigned(dir, '/CN=go-build-matrix test signer', 'codeSigning');
  await writeFile(input, pe);
  await run('osslsigncode', [
    'sign',
    '-certs',
    cert,
    '-key',
    key,
    '-h',
    digest,
    '-in',
    input,
    '-out',
    output,
  ]);
  const signed = await readFile(output);
  await rm(dir, { recursive: true, force: true });
  return signed;
}

/**
 * osslsigncode's own reading of a signed PE: the digest the signature holds and the one it computes. Its
 * exit status also judges the certificate chain, which a self-signed test certificate never passes.
 */
export async function osslsigncodeDigests(pe: Buffer): Promise<{ current: string; calculated: string }> {
  const dir = tempDir('authenticode-verify');
  const file = path.join(dir, 'file.exe');
  await writeFile(file, pe);
  let output: string;
  try {
    output = (await run('osslsigncode', ['verify', '-in', file])).stdout;
  } catch (e) {
    output = (e as { stdout?: string }).stdout ?? '';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const line = (name: string): string =>
    output.match(new RegExp(`${name} message digest\\s*: ([0-9A-F]+)`))?.[1] ?? '';
  return { current: line('Current').toLowerCase(), calculated: line('Calculated').toLowerCase() };
}
