import { VARIANT_VARIABLES } from '../targets/variants.js';
import type { CCompiler } from './compilers.js';

export interface PinnedVariables {
  readonly GOOS: string;
  readonly GOARCH: string;
  readonly CGO_ENABLED: '0' | '1';
  /** The arch's variant variable and its value, when the toolchain has one for the arch. */
  readonly variant: { readonly variable: string; readonly value: string } | null;
  /** GOFIPS140 as the `env` input sets it (Go ≥ 1.24 links that FIPS 140 module); null when not set there. */
  readonly fips140: string | null;
}

/** The pinned variables as they are recorded in the manifest (`env`). */
export function pinnedRecord(pinned: PinnedVariables): Record<string, string> {
  const record: Record<string, string> = {
    GOOS: pinned.GOOS,
    GOARCH: pinned.GOARCH,
  };
  if (pinned.variant) record[pinned.variant.variable] = pinned.variant.value;
  record.CGO_ENABLED = pinned.CGO_ENABLED;
  if (pinned.fips140 !== null) record.GOFIPS140 = pinned.fips140;
  return record;
}

/**
 * The complete environment of one `go build`. Everything the job exported is kept (PATH,
 * HOME, GOFLAGS, GOPROXY, …) except the variables that decide what is built: GOOS, GOARCH,
 * CGO_ENABLED and the arch's variant are set explicitly, every other variant variable is
 * removed, and GOTOOLCHAIN=local stops a `toolchain` line in go.mod from switching Go, unless
 * `extra` (the `env` input) chooses another GOTOOLCHAIN. `extra` cannot name a pinned variable;
 * the options parser rejects that.
 */
export function buildEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  pinned: PinnedVariables,
  extra: Readonly<Record<string, string>>,
  compiler: CCompiler | null,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !VARIANT_VARIABLES.includes(key) && !(compiler !== null && key === 'CXX'))
      env[key] = value;
  }
  Object.assign(env, extra);
  if (compiler !== null) {
    // A cross compiler replaces the job's CC and CXX, which are for the host.
    env.CC = compiler.cc;
    if (compiler.cxx !== null) env.CXX = compiler.cxx;
  }
  env.GOOS = pinned.GOOS;
  env.GOARCH = pinned.GOARCH;
  env.CGO_ENABLED = pinned.CGO_ENABLED;
  if (pinned.variant) env[pinned.variant.variable] = pinned.variant.value;
  env.GOTOOLCHAIN = extra.GOTOOLCHAIN ?? 'local';
  return env;
}
