import path from 'node:path';
import { InputError } from '../options/errors.js';
import { goQuery } from './command.js';
import type { GoModule } from './module.js';
import { realDirectory } from './module.js';

/**
 * Checks every `package` once, before the fan-out: a package that does not exist, lies outside
 * the module or is no main package would fail every target with the same go message.
 */
export async function checkPackages(
  packages: readonly string[],
  module: GoModule,
  workingDirectory: string,
  env: Record<string, string>,
): Promise<void> {
  const plain = packages.filter((p) => !p.includes('...'));
  for (const pkg of plain) {
    if (!pkg.startsWith('.')) continue;
    const dir = path.resolve(workingDirectory, pkg);
    // Through symlinks as Go sees it: a checkout reached through a link is still the module.
    const inside = path.relative(realDirectory(module.dir), realDirectory(dir));
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new InputError(
        'package',
        pkg,
        `It is the directory ${dir}, outside the module ${module.path} (${module.dir}); name a main package inside it, e.g. ./cmd/app.`,
      );
    }
  }
  if (plain.length === 0) return;
  // One line per package; -e keeps going past a broken one so each gets its own verdict.
  const listed = await goQuery(
    ['list', '-e', '-f', '{{.ImportPath}}\t{{.Name}}\t{{if .Error}}{{.Error.Err}}{{end}}', '--', ...plain],
    workingDirectory,
    env,
  );
  const lines = listed.trimEnd().split('\n');
  for (const [i, pkg] of plain.entries()) {
    const [importPath = pkg, name = '', error = ''] = (lines[i] ?? '').split('\t');
    // The host's GOOS may exclude a package built only for other targets: that is for go build to judge per target.
    if (error !== '' && !/build constraints exclude all Go files/.test(error)) {
      throw new InputError('package', pkg, `go list in module ${module.path} says: ${error.split('\n')[0]}`);
    }
    if (error === '' && name !== 'main') {
      throw new InputError(
        'package',
        pkg,
        `${importPath} is package ${name}, not a main package, so go build makes no executable of it; name a package with func main.`,
      );
    }
  }
}
