// A parsed single-architecture file, whatever its format: what identify and floor both read.
import type { ElfInfo } from './elf.js';
import type { MachoInfo } from './macho.js';
import type { PeInfo } from './pe.js';
import type { Plan9Info } from './plan9.js';
import type { WasmInfo } from './wasm.js';
import type { XcoffInfo } from './xcoff.js';

export type Thin = ElfInfo | PeInfo | MachoInfo | WasmInfo | Plan9Info | XcoffInfo;
