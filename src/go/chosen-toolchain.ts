// The Go the builds use, as GOTOOLCHAIN in the `env` input chooses it, and the environment every `go` query runs in.
import type { EngineContext } from '../pipeline/context.js';
import { InputError } from '../options/errors.js';
import { PINNED_VARIABLES } from '../options/options.js';
import { GoCommandError } from './command.js';
import type { Toolchain } from './toolchain.js';
import { loadToolchain } from './toolchain.js';

/** Where modules come from and how they are checked: the download must fetch what the builds would. */
const MODULE_SOURCE = [
  'GOPROXY',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GOSUMDB',
  'GOINSECURE',
  'GOAUTH',
  'GOVCS',
  'NETRC',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/**
 * The job's environment for `go` queries: nothing that selects a target, and the Go and the
 * modules the builds get: GOTOOLCHAIN (local unless `env` chooses another), GOWORK and where
 * modules come from (GOPROXY, GOPRIVATE, GONOSUMDB…) as `env` sets them, so the version, ports,
 * variants, module facts and the downloaded modules are those of the builds.
 */
export function queryEnvironment(
  env: EngineContext['env'],
  chosen: Readonly<Record<string, string>>,
): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !PINNED_VARIABLES.includes(key)) clean[key] = value;
  }
  if (chosen.GOWORK !== undefined) clean.GOWORK = chosen.GOWORK;
  for (const key of MODULE_SOURCE) if (chosen[key] !== undefined) clean[key] = chosen[key];
  clean.GOTOOLCHAIN = chosen.GOTOOLCHAIN ?? 'local';
  return clean;
}

/** The toolchain the builds use; one that GOTOOLCHAIN in `env` cannot start is an error on `env`, in Go's words. */
export async function loadChosenToolchain(
  cwd: string,
  env: Record<string, string>,
  chosen: Readonly<Record<string, string>>,
): Promise<Toolchain> {
  try {
    return await loadToolchain(cwd, env);
  } catch (err) {
    if (!(err instanceof GoCommandError) || chosen.GOTOOLCHAIN === undefined) throw err;
    throw new InputError(
      'env',
      `GOTOOLCHAIN=${chosen.GOTOOLCHAIN}`,
      `Go could not start the toolchain it selects (${err.message.replace(/\s+/g, ' ').slice(0, 400)}); use local, auto, path or a released version such as go1.27.3, with GOPROXY able to serve it.`,
    );
  }
}
