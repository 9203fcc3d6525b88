import { existsSync } from 'node:fs';
import path from 'node:path';
import type { VerifyResult } from '../verify/index.js';
import { findOnPath } from '../which.js';

/** How a binary is run on this host: the argv prefix, extra environment, or why it cannot be. */
export type SmokeRunner =
  | {
      readonly via: string;
      readonly prefix: readonly string[];
      readonly env: Readonly<Record<string, string>>;
    }
  | { readonly skip: string };

/** qemu-user's name for each GOARCH it emulates. */
const QEMU_ARCH: Readonly<Record<string, string>> = {
  '386': 'i386',
  amd64: 'x86_64',
  arm: 'arm',
  arm64: 'aarch64',
  loong64: 'loongarch64',
  mips: 'mips',
  mipsle: 'mipsel',
  mips64: 'mips64',
  mips64le: 'mips64el',
  ppc64: 'ppc64',
  ppc64le: 'ppc64le',
  riscv64: 'riscv64',
  s390x: 's390x',
};

/** Where Debian's cross C libraries live, for dynamic (cgo) binaries under qemu (`-L`). */
const SYSROOT: Readonly<Record<string, string>> = {
  arm64: '/usr/aarch64-linux-gnu',
  arm: '/usr/arm-linux-gnueabihf',
  '386': '/usr/i686-linux-gnu',
  ppc64le: '/usr/powerpc64le-linux-gnu',
  s390x: '/usr/s390x-linux-gnu',
  riscv64: '/usr/riscv64-linux-gnu',
  mips: '/usr/mips-linux-gnu',
  mipsle: '/usr/mipsel-linux-gnu',
  mips64: '/usr/mips64-linux-gnuabi64',
  mips64le: '/usr/mips64el-linux-gnuabi64',
};

/**
 * wasip1 modules run under Node's own WASI (preview1): the module gets the arguments and the
 * environment, and its exit status becomes Node's. Passed with `-e`, so nothing is written to disk.
 */
const WASI_RUNNER = `
const { WASI } = require('node:wasi');
const { readFileSync } = require('node:fs');
const [file, ...args] = process.argv.slice(1);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: process.env, returnOnExit: true });
WebAssembly.instantiate(readFileSync(file), wasi.getImportObject()).then(
  ({ instance }) => { process.exitCode = wasi.start(instance); },
  (err) => { console.error(String(err)); process.exitCode = 1; },
);`;

/** The toolchain's own js/wasm runner for Node: lib/wasm from Go 1.24, misc/wasm before. */
function wasmExecNode(goroot: string): string | null {
  for (const dir of ['lib', 'misc']) {
    const file = path.join(goroot, dir, 'wasm', 'wasm_exec_node.js');
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Chooses how to run a target's binary here: natively when the host runs it (the same
 * GOOS/GOARCH, or 386 on an amd64 Linux host), through qemu-user for other Linux arches,
 * through wine for windows/386 and windows/amd64, js/wasm and wasip1/wasm under this Node;
 * otherwise a reason it is skipped.
 */
export function chooseRunner(
  goos: string,
  goarch: string,
  host: { goos: string; goarch: string; goroot: string; node: string },
  verify: VerifyResult | null,
  env: Readonly<Record<string, string | undefined>>,
): SmokeRunner {
  if (goarch === 'wasm' && goos === 'wasip1') {
    return { via: 'node (WASI)', prefix: [host.node, '--no-warnings', '-e', WASI_RUNNER], env: {} };
  }
  if (goarch === 'wasm' && goos === 'js') {
    const runner = wasmExecNode(host.goroot);
    if (runner === null) return { skip: `no wasm_exec_node.js under ${host.goroot}/lib/wasm or misc/wasm` };
    return { via: 'node (wasm_exec)', prefix: [host.node, runner], env: {} };
  }
  const sameOs = goos === host.goos;
  if (
    sameOs &&
    (goarch === host.goarch || (host.goos === 'linux' && host.goarch === 'amd64' && goarch === '386'))
  ) {
    return { via: 'native', prefix: [], env: {} };
  }
  if (goos === 'linux' && host.goos === 'linux') {
    const arch = QEMU_ARCH[goarch];
    if (arch === undefined) return { skip: `qemu-user does not emulate ${goarch}` };
    const qemu = findOnPath(`qemu-${arch}-static`, env) ?? findOnPath(`qemu-${arch}`, env);
    if (qemu === null) {
      return {
        skip: `no qemu-${arch}-static or qemu-${arch} on PATH (Debian/Ubuntu package qemu-user-static)`,
      };
    }
    const sysroot = verify?.interpreter ? SYSROOT[goarch] : undefined;
    return {
      via: qemu.split('/').pop() ?? qemu,
      prefix: [qemu, ...(sysroot ? ['-L', sysroot] : [])],
      // qemu-i386 7.x crashes Go's runtime on asynchronous preemption signals (HEADERS.md §8).
      env: goarch === '386' ? { GODEBUG: [env.GODEBUG, 'asyncpreemptoff=1'].filter(Boolean).join(',') } : {},
    };
  }
  if (goos === 'windows' && host.goos === 'linux') {
    if (goarch !== '386' && goarch !== 'amd64')
      return { skip: `wine does not run windows/${goarch} binaries` };
    const wine = findOnPath('wine', env) ?? findOnPath('wine64', env);
    if (wine === null) return { skip: 'wine is not installed (Debian/Ubuntu package wine)' };
    return { via: 'wine', prefix: [wine], env: { WINEDEBUG: '-all' } };
  }
  return { skip: `${goos}/${goarch} binaries cannot run on ${host.goos}/${host.goarch}` };
}
