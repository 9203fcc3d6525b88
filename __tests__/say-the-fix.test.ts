// Errors that say what to do: each names the fix a user can apply as it stands.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_USAGE } from '../src/cli/main.js';
import { cli } from './support/cli.js';
import { tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from './support/toolchains.js';

describe('errors name the fix', () => {
  it('two packages on one line: says entries go one per line and shows the split', async () => {
    const tc = toolchain('1.26');
    const dir = path.join(tempDir('oneline'), 'tool');
    for (const name of ['a', 'b']) {
      mkdirSync(path.join(dir, 'cmd', name), { recursive: true });
      writeFileSync(path.join(dir, 'cmd', name, 'main.go'), 'package main\n\nfunc main() {}\n');
    }
    writeFileSync(path.join(dir, 'go.mod'), 'module example.com/tool\n\ngo 1.21\n');
    const r = await cli(
      ['build', '--package', './cmd/a ./cmd/b', '--targets', 'linux/amd64'],
      goEnv(tc),
      dir,
    );
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(`Input 'package': "./cmd/a ./cmd/b" is not valid.`);
    expect(r.stderr).toContain(
      "Entries go one per line, so this whole line was read as one package; to build 2, put each on its own line: './cmd/a', './cmd/b'",
    );
  });

  it('a pattern with a space: the same advice', async () => {
    const tc = toolchain('1.26');
    const r = await cli(
      ['build', '--package', './... ./cmd/...', '--targets', 'linux/amd64'],
      goEnv(tc),
      EXAMPLE_MODULE,
    );
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain("put each on its own line: './...', './cmd/...'");
  });

  it('GOARM features on Go 1.19: suggests dropping them or a newer Go, not another feature spelling', async () => {
    const tc = toolchain('1.19');
    const r = await cli(['plan', '--targets', 'linux/arm/6+softfloat'], goEnv(tc), EXAMPLE_MODULE);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(
      "go1.19.8 takes no GOARM features (they need Go 1.22). Drop the features ('linux/arm/6') or install Go 1.22 or newer before this step.",
    );
    expect(r.stderr).not.toContain("+softfloat'.");
  });
});
