#!/usr/bin/env node
// Reading cost must not grow with file size: verify a real Go binary, then the same binary with
// 500 MB appended, in-process through the bundle's verifyFile, and print medians and the ratio.
// Usage: node bench/verify.mjs [appendMiB=500] [rounds=30]
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../dist/lib/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appendMiB = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 30);
const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-bench-verify-'));
const request = {
  goos: 'linux',
  goarch: 'amd64',
  variant: null,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
};

try {
  const bare = path.join(dir, 'hello');
  execFileSync('go', ['build', '-trimpath', '-o', bare, '.'], {
    cwd: path.join(root, 'examples', 'hello'),
    env: { ...process.env, GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' },
  });
  const big = path.join(dir, 'hello-big');
  copyFileSync(bare, big);
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let written = 0; written < appendMiB; written += 16) appendFileSync(big, chunk);

  const measure = async (file) => {
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const start = process.hrtime.bigint();
      const verdict = await verifyFile(file, request);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (!verdict.ok) throw new Error(`${file}: ${verdict.problems.join(' ')}`);
    }
    times.sort((a, b) => a - b);
    return {
      first: times.at(-1),
      median: times[Math.floor(times.length / 2)],
      min: times[0],
      max: times.at(-1),
    };
  };
  await measure(bare); // warm the module and the page cache alike for both files
  const a = await measure(bare);
  const b = await measure(big);
  const mb = (f) => (statSync(f).size / 1e6).toFixed(1);
  console.log(`verify ${rounds} rounds, in-process (ms): median [min–max]`);
  console.log(
    `  bare binary        ${mb(bare).padStart(7)} MB  ${a.median.toFixed(2)} [${a.min.toFixed(2)}–${a.max.toFixed(2)}]`,
  );
  console.log(
    `  + ${appendMiB} MiB appended ${mb(big).padStart(7)} MB  ${b.median.toFixed(2)} [${b.min.toFixed(2)}–${b.max.toFixed(2)}]`,
  );
  console.log(`  ratio big/bare: ${(b.median / a.median).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
