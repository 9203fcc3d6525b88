// Go programs the suite compares with (reference generators), built from the Go module proxy at
// pinned versions into the checkout's .cache/tools/bin, once per machine and version.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { readBuildInfos } from '../../src/verify/index.js';
import { SUITE_GOMODCACHE } from './thirdparty.js';
import type { Toolchain } from './toolchains.js';
import { goEnv, REPO_ROOT } from './toolchains.js';

const execFileAsync = promisify(execFile);

export const TOOLS_BIN = path.join(REPO_ROOT, '.cache', 'tools', 'bin');

const installing = new Map<string, Promise<string>>();

/**
 * The path of `pkg`'s command at `version` (`go install pkg@version`), installed unless the binary
 * there already records that module version: its build info says which version it is.
 */
export function goTool(tc: Toolchain, pkg: string, version: string): Promise<string> {
  const key = `${pkg}@${version}`;
  let pending = installing.get(key);
  if (!pending) {
    pending = install(tc, pkg, version);
    installing.set(key, pending);
  }
  return pending;
}

async function install(tc: Toolchain, pkg: string, version: string): Promise<string> {
  const bin = path.join(TOOLS_BIN, path.posix.basename(pkg));
  if (existsSync(bin)) {
    const [info] = await readBuildInfos(bin);
    if (info?.path === pkg && info.moduleVersion === version) return bin;
  }
  await execFileAsync(tc.go, ['install', `${pkg}@${version}`], {
    env: goEnv(tc, { GOBIN: TOOLS_BIN, GOMODCACHE: SUITE_GOMODCACHE, GOFLAGS: '-mod=mod' }),
  });
  return bin;
}
