// A module with a real dependency, served by a file:// module proxy (there is no network here).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './engine.js';
import type { Toolchain } from './toolchains.js';
import { goEnv } from './toolchains.js';

const execFileAsync = promisify(execFile);

/** A file:// module proxy serving example.com/greet v1.0.0, and a module that requires it. */
export async function moduleWithDependency(tc: Toolchain): Promise<{ dir: string; proxy: string }> {
  const root = tempDir('modproxy');
  const src = path.join(root, 'src', 'example.com', 'greet@v1.0.0');
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, 'go.mod'), 'module example.com/greet\n\ngo 1.19\n');
  writeFileSync(
    path.join(src, 'greet.go'),
    'package greet\n\nfunc Hello() string { return "hello from a dependency" }\n',
  );
  const versions = path.join(root, 'proxy', 'example.com', 'greet', '@v');
  mkdirSync(versions, { recursive: true });
  writeFileSync(path.join(versions, 'list'), 'v1.0.0\n');
  writeFileSync(path.join(versions, 'v1.0.0.info'), '{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}\n');
  writeFileSync(path.join(versions, 'v1.0.0.mod'), 'module example.com/greet\n\ngo 1.19\n');
  await execFileAsync(
    'zip',
    ['-q', '-X', '-r', path.join(versions, 'v1.0.0.zip'), 'example.com/greet@v1.0.0'],
    {
      cwd: path.join(root, 'src'),
    },
  );
  const dir = path.join(root, 'app');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'go.mod'),
    'module example.com/app\n\ngo 1.19\n\nrequire example.com/greet v1.0.0\n',
  );
  writeFileSync(
    path.join(dir, 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n',
  );
  const proxy = `file://${path.join(root, 'proxy')}`;
  // go.sum, written by Go itself from the proxy.
  await execFileAsync(tc.go, ['mod', 'download', 'example.com/greet'], {
    cwd: dir,
    env: goEnv(tc, {
      GOPROXY: proxy,
      GOSUMDB: 'off',
      GOMODCACHE: path.join(root, 'seed-modcache'),
      GOFLAGS: '-mod=mod',
    }),
  });
  await execFileAsync(tc.go, ['mod', 'tidy'], {
    cwd: dir,
    env: goEnv(tc, { GOPROXY: proxy, GOSUMDB: 'off', GOMODCACHE: path.join(root, 'seed-modcache') }),
  });
  return { dir, proxy };
}
