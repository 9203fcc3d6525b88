import type { Logger } from '../log.js';
import { goQuery } from './command.js';
import type { GoModule } from './module.js';

/**
 * Fetches the modules the builds need once, before the fan-out, so parallel builds do not each
 * fetch them. In module mode that is `go mod download`. In a workspace it is what `go build`
 * would fetch: `go mod download` there also asks the proxy for the workspace's own modules at
 * the versions their go.mod files require (example.com/lib v0.0.0, which no proxy serves), and
 * `go list -m all` needs their go.mod files too, while loading the packages (`go list -deps`)
 * resolves them as go build does. That loads the packages for the host; a module only another
 * GOOS imports is fetched by that target's own build (Go locks its module cache).
 */
export async function downloadModules(
  module: GoModule,
  packages: readonly string[],
  tags: readonly string[],
  cwd: string,
  env: Record<string, string>,
  log: Logger,
): Promise<void> {
  if (module.vendored) {
    log.debug('Dependencies are vendored: nothing to download.');
    return;
  }
  if (module.workspace === null && !module.hasDependencies) {
    log.debug('The module has no dependencies.');
    return;
  }
  const argv =
    module.workspace === null
      ? ['mod', 'download']
      : [
          'list',
          '-e',
          '-deps',
          '-test=false',
          ...(tags.length > 0 ? [`-tags=${tags.join(',')}`] : []),
          '-f',
          '{{if .DepOnly}}{{with .Error}}{{.Err}}{{"\\n"}}{{end}}{{end}}',
          '--',
          ...packages,
        ];
  log.info(
    `Downloading module dependencies (${module.workspace === null ? 'go mod download' : 'go list -deps, workspace mode'})…`,
  );
  try {
    // -e: a package of the input itself that is wrong is for the package check to name; what
    // matters here is a dependency that could not be fetched.
    const failures = (await goQuery(argv, cwd, env)).trim();
    if (failures !== '')
      throw new Error(
        `go list could not load: ${[...new Set(failures.split('\n'))].slice(0, 10).join('\n')}`,
      );
  } catch (err) {
    throw new Error(
      `The module's dependencies could not be downloaded, so no target can build. ${(err as Error).message}`,
    );
  }
}
