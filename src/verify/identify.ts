// What a parsed (thin) container says about itself: format, arch, the GOOS values it is consistent with
// (and the evidence), linkage and libraries. Pure functions of the reader output.
import { ARCHES, describe, findArch } from './arches.js';
import type { Format } from './arches.js';
import type { Endian } from './binary.js';
import type { ElfInfo } from './elf.js';
import { floorOf } from './floor.js';
import type { Thin } from './thin.js';
import type { MachoInfo } from './macho.js';
import { MACHO_PLATFORMS } from './macho.js';
import type { PeInfo } from './pe.js';
import type { Plan9Info } from './plan9.js';
import type { OsFloor } from './types.js';
import type { WasmInfo } from './wasm.js';
import type { XcoffInfo } from './xcoff.js';

export interface Identity {
  format: Format;
  bits: 32 | 64 | null;
  endian: Endian | null;
  /** GOARCH the machine fields name, null when no Go arch matches. */
  arch: string | null;
  /** GOOS values the headers are consistent with (empty: none). */
  oses: string[];
  /** Why the headers point at those systems, for problem sentences. */
  osEvidence: string;
  description: string;
  linkage: 'static' | 'dynamic';
  interpreter: string | null;
  needed: string[];
  /** Every GLIBC_x.y version the file requires. */
  glibc: string[];
  /** Facts about the container that disqualify it whatever the target (object files, core dumps …). */
  problems: string[];
  /** ELF e_flags and the `.MIPS.abiflags` fp_abi, for target-dependent ABI checks. */
  elf?: { flags: number; mipsFpAbi: number | null };
  /** The oldest OS release the file says it runs on. */
  floor: OsFloor | null;
}

/** What each container's own fields say; the OS floor is read the same way for all (floor.ts). */
type Headers = Omit<Identity, 'floor'>;

export function identify(c: Thin): Identity {
  return { ...headers(c), floor: floorOf(c) };
}

function headers(c: Thin): Headers {
  switch (c.kind) {
    case 'elf':
      return identifyElf(c);
    case 'pe':
      return identifyPe(c);
    case 'macho':
      return identifyMacho(c);
    case 'wasm':
      return identifyWasm(c);
    case 'plan9':
      return identifyPlan9(c);
    case 'xcoff':
      return identifyXcoff(c);
  }
}

function base(
  format: Format,
  arch: string | null,
  unknownLabel: string,
): Pick<Identity, 'format' | 'arch' | 'description'> {
  const spec = arch === null ? null : ARCHES[arch];
  return { format, arch, description: spec ? describe(format, spec) : unknownLabel };
}

function identifyElf(e: ElfInfo): Headers {
  const arch = findArch((a) => a.elf === e.machine && a.bits === e.bits && a.endian === e.endian);
  const order = e.endian === 'little' ? 'LSB' : 'MSB';
  const problems: string[] = [];
  if (e.type === 1) problems.push('this is an ELF relocatable object (.o), not an executable');
  else if (e.type === 4) problems.push('this is an ELF core dump, not an executable');
  else if (e.type !== 2 && e.type !== 3) problems.push(`ELF file type ${e.type} is not an executable`);
  const abiProblem = elfAbiProblem(arch, e.flags);
  if (abiProblem) problems.push(abiProblem);
  return {
    ...base('elf', arch, `ELF ${e.bits}-bit ${order} machine ${e.machine}`),
    bits: e.bits,
    endian: e.endian,
    ...elfOs(e),
    linkage: e.interpreter !== null || e.needed.length > 0 ? 'dynamic' : 'static',
    interpreter: e.interpreter,
    needed: e.needed,
    glibc: e.versions.filter((v) => /^GLIBC_\d+(\.\d+)+$/.test(v)).map((v) => v.slice('GLIBC_'.length)),
    problems,
    elf: { flags: e.flags, mipsFpAbi: e.mipsFpAbi },
  };
}

/** e_flags that decide the ABI where e_machine alone does not. ppc64's ELFv1/v2 depends on GOOS (see check). */
function elfAbiProblem(arch: string | null, flags: number): string | null {
  const abi = flags & 0xf000;
  const n32 = (flags & 0x20) !== 0;
  if ((arch === 'mips' || arch === 'mipsle') && (abi !== 0x1000 || n32)) {
    return `ELF e_flags 0x${flags.toString(16)} do not name the MIPS O32 ABI that Go's ${arch} port uses`;
  }
  if ((arch === 'mips64' || arch === 'mips64le') && (abi !== 0 || n32)) {
    return `ELF e_flags 0x${flags.toString(16)} do not name the MIPS n64 ABI that Go's ${arch} port uses`;
  }
  return null;
}

/** Evidence for the OS an ELF file runs on, strongest first (see HEADERS.md §3.1 and §4). */
function elfOs(e: ElfInfo): Pick<Identity, 'oses' | 'osEvidence'> {
  const note = (owner: string): boolean => e.notes.some((n) => n.owner === owner && n.type === 1);
  const interp = e.interpreter;
  if (e.osabi === 9 || note('FreeBSD')) return { oses: ['freebsd'], osEvidence: 'ELF OS/ABI 9 (FreeBSD)' };
  if (e.osabi === 2 || note('NetBSD'))
    return { oses: ['netbsd'], osEvidence: 'ELF OS/ABI 2 and the NetBSD note' };
  if (e.osabi === 12 || note('OpenBSD'))
    return { oses: ['openbsd'], osEvidence: 'ELF OS/ABI 12 and the OpenBSD note' };
  if (note('DragonFly')) return { oses: ['dragonfly'], osEvidence: 'the DragonFly note' };
  if (e.osabi !== 0 && e.osabi !== 3) {
    return { oses: [], osEvidence: `ELF OS/ABI ${e.osabi}, which no Go target uses` };
  }
  if (interp?.startsWith('/system/bin/linker')) {
    return { oses: ['android'], osEvidence: `interpreter ${interp} (Android's)` };
  }
  if (interp?.endsWith('/ld.so.1') || e.sunwStack) {
    return { oses: ['solaris', 'illumos'], osEvidence: 'the Solaris interpreter and PT_SUNWSTACK' };
  }
  if (interp === '/usr/libexec/ld-elf.so.2') {
    return { oses: ['dragonfly'], osEvidence: `interpreter ${interp} (DragonFly's)` };
  }
  const gnuLinux = e.notes.some(
    (n) => n.owner === 'GNU' && n.type === 1 && n.desc.length >= 4 && n.desc.readUInt32LE(0) === 0,
  );
  if (e.gnuStack || e.paxFlags || gnuLinux) {
    const via = interp ? `, interpreter ${interp}` : '';
    return { oses: ['linux'], osEvidence: `ELF OS/ABI ${e.osabi} with PT_GNU_STACK${via} (Linux)` };
  }
  // Go's DragonFly binaries carry no positive mark: no OS/ABI, note, PT_GNU_STACK or PT_PAX_FLAGS.
  return {
    oses: ['dragonfly'],
    osEvidence: 'no OS/ABI, OS note, PT_GNU_STACK or PT_PAX_FLAGS (only DragonFly binaries look like this)',
  };
}

const GO_WINDOWS_DLLS = new Set(['kernel32.dll']);

function identifyPe(p: PeInfo): Headers {
  const bits = p.magic === 0x20b ? 64 : 32;
  const arch = findArch((a) => a.pe === p.machine && a.bits === bits);
  const problems: string[] = [];
  if ((p.characteristics & 0x2) === 0)
    problems.push('the PE image is not marked executable (IMAGE_FILE_EXECUTABLE_IMAGE)');
  if (p.subsystem !== 2 && p.subsystem !== 3) {
    problems.push(`PE subsystem ${p.subsystem} is neither a Windows console (3) nor GUI (2) program`);
  }
  return {
    ...base('pe', arch, `${bits === 64 ? 'PE32+' : 'PE32'} machine 0x${p.machine.toString(16)}`),
    bits,
    endian: 'little',
    oses: ['windows'],
    osEvidence: 'a PE file',
    // Go's own linker imports only kernel32.dll and loads the rest at run time; anything more is the C runtime.
    linkage: p.imports.every((d) => GO_WINDOWS_DLLS.has(d.toLowerCase())) ? 'static' : 'dynamic',
    interpreter: null,
    needed: p.imports,
    glibc: [],
    problems,
  };
}

function identifyMacho(m: MachoInfo): Headers {
  const arch = findArch((a) => a.macho === m.cputype && a.bits === m.bits && a.endian === m.endian);
  const problems: string[] = [];
  if (m.filetype === 1) problems.push('this is a Mach-O object file (MH_OBJECT), not an executable');
  else if (m.filetype !== 2 && m.filetype !== 6 && m.filetype !== 8) {
    problems.push(`Mach-O file type ${m.filetype} is not an executable`);
  }
  let oses: string[];
  let osEvidence: string;
  const platform = m.platform === null ? undefined : MACHO_PLATFORMS[m.platform];
  if (m.platform === null) {
    // Go's internal linker writes a platform command only for macOS (HEADERS.md §3.3).
    oses = ['ios'];
    osEvidence = 'no LC_BUILD_VERSION or LC_VERSION_MIN_* command (which only Go-linked ios files lack)';
  } else if (platform) {
    oses = [platform.os];
    osEvidence = `LC_BUILD_VERSION platform ${m.platform} (${platform.name}, minimum ${m.minos ?? '?'})`;
  } else {
    oses = [];
    osEvidence = `Mach-O platform ${m.platform}, which no Go target uses`;
  }
  return {
    ...base('macho', arch, `Mach-O ${m.bits}-bit cputype 0x${m.cputype.toString(16)}`),
    bits: m.bits,
    endian: m.endian,
    oses,
    osEvidence,
    linkage: m.dylinker !== null || m.dylibs.length > 0 ? 'dynamic' : 'static',
    interpreter: m.dylinker,
    needed: m.dylibs,
    glibc: [],
    problems,
  };
}

function identifyWasm(w: WasmInfo): Headers {
  const oses: string[] = [];
  if (w.importModules.includes('go') || w.importModules.includes('gojs')) oses.push('js');
  if (w.importModules.includes('wasi_snapshot_preview1')) oses.push('wasip1');
  const modules = w.importModules.length > 0 ? w.importModules.join(', ') : 'nothing';
  return {
    format: 'wasm',
    arch: 'wasm',
    description: 'WebAssembly',
    bits: null,
    endian: 'little',
    oses,
    osEvidence: `imports from ${modules}`,
    linkage: 'static',
    interpreter: null,
    needed: [],
    glibc: [],
    problems: [],
  };
}

function identifyPlan9(p: Plan9Info): Headers {
  const arch = findArch((a) => a.plan9 === p.magic);
  const spec = arch === null ? null : ARCHES[arch];
  return {
    ...base('plan9', arch, `Plan 9 a.out magic 0x${p.magic.toString(16)}`),
    bits: spec?.bits ?? null,
    endian: 'big',
    oses: ['plan9'],
    osEvidence: 'a Plan 9 a.out header',
    linkage: 'static',
    interpreter: null,
    needed: [],
    glibc: [],
    problems: [],
  };
}

const F_EXEC = 0x2;
const F_SHROBJ = 0x2000;

function identifyXcoff(x: XcoffInfo): Headers {
  const problems: string[] = [];
  if ((x.flags & (F_EXEC | F_SHROBJ)) === 0)
    problems.push('the XCOFF file is not marked executable (F_EXEC)');
  return {
    ...base(
      'xcoff',
      findArch((a) => a.xcoff === x.magic),
      `XCOFF magic 0x${x.magic.toString(16)}`,
    ),
    bits: 64,
    endian: 'big',
    oses: ['aix'],
    osEvidence: 'an XCOFF64 header',
    linkage: x.imports.length > 0 ? 'dynamic' : 'static',
    interpreter: null,
    needed: x.imports,
    glibc: [],
    problems,
  };
}
