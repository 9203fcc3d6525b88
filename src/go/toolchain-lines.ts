import path from 'node:path';
import type { Logger } from '../log.js';
import { InputError } from '../options/errors.js';
import { atLeast } from '../targets/variants.js';
import type { GoModule } from './module.js';
import { directiveNewerThan } from './module.js';
import type { Toolchain } from './toolchain.js';

const FIX_HINT = "actions/setup-go with 'go-version-file: go.mod' reads these lines";

/**
 * go.mod (go.work in a workspace, whose lines are the ones Go obeys there) against the Go that
 * builds. A newer `go` line is a requirement from Go 1.21, and every target would fail alike, so
 * it fails once, before any build; Go before 1.21 treats it as advisory and builds anyway (a
 * warning). A newer `toolchain` line is one warning: Go writes it on its own (`go get`, `go mod
 * tidy` with a newer local Go), so it names the author's Go, and the Go that builds is still
 * allowed by the go line. `gotoolchain` is GOTOOLCHAIN as the builds get it.
 */
export function checkToolchainLines(
  module: GoModule,
  toolchain: Toolchain,
  gotoolchain: string,
  ctx: { readonly baseDir: string; readonly log: Logger },
): void {
  const source = module.workspace ?? module;
  const file = module.workspace?.file ?? path.join(module.dir, 'go.mod');
  const name = path.basename(file);
  const goLine = source.goDirective;
  const toolchainLine = source.toolchainDirective;
  const goNewer = goLine !== null && directiveNewerThan(goLine, toolchain.version);
  const toolchainNewer = toolchainLine !== null && directiveNewerThan(toolchainLine, toolchain.version);
  if (!goNewer && !toolchainNewer) return;
  const building =
    gotoolchain === 'local'
      ? `the Go on PATH is ${toolchain.version}, and with GOTOOLCHAIN=local no other Go is downloaded`
      : `the Go that GOTOOLCHAIN=${gotoolchain} selects is ${toolchain.version}`;
  const want = (toolchainNewer ? (toolchainLine as string) : (goLine as string)).replace(/^go/, '');
  const fix = `install Go ${want} or newer before this step (${FIX_HINT})`;
  const annotation = { file: path.relative(ctx.baseDir, file) };
  if (!goNewer) {
    ctx.log.warning(
      `${name} says 'toolchain ${toolchainLine}', newer than ${toolchain.version}, which builds it: its 'go ${goLine ?? '1.16'}' line allows ${toolchain.version}, and Go writes the toolchain line on its own (go get, go mod tidy). To build with ${toolchainLine}, ${fix}.`,
      annotation,
    );
    return;
  }
  const lines = [`go ${goLine}`, ...(toolchainNewer ? [`toolchain ${toolchainLine}`] : [])]
    .map((line) => `'${line}'`)
    .join(' and ');
  const sentence = `${name} asks for ${lines} but ${building}`;
  if (atLeast(toolchain.release, [1, 21])) {
    throw new InputError('working-directory', module.dir, `${sentence}: ${fix}.`);
  }
  ctx.log.warning(
    `${sentence}; ${toolchain.version} treats the go line as advisory and builds anyway. To build with the Go the module asks for, ${fix}.`,
    annotation,
  );
}
