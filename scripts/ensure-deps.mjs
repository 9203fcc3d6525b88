#!/usr/bin/env node
// `npm test` on a fresh clone: install the locked dev dependencies first when they are missing
// or older than package-lock.json, so the README's two commands are all a newcomer runs.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('Installing dev dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

// Go 1.27 is a toolchain module from the proxy: `GOTOOLCHAIN=go1.27.3 go version` unpacks it into
// GOMODCACHE once (a no-op afterwards). The suite finds it there (__tests__/support/toolchains.ts).
const GO127 = 'go1.27.3';
try {
  // The machine's Go 1.26 does the download: Debian's /usr/bin/go (1.19) may come first on PATH.
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
  execFileSync(go, ['version'], { cwd: root, stdio: 'ignore', env: { ...process.env, GOTOOLCHAIN: GO127 } });
} catch (err) {
  console.error(`Could not fetch ${GO127} through the Go module proxy: ${err.message}`);
  process.exit(1);
}
