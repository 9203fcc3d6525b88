// Issue 27 item 6: a private module through the reusable workflow's go-private-token secret, run
// by nektos/act in host mode through __tests__/support/act.ts (see there for what act does and
// does not do). The private module is served by an HTTPS module proxy on 127.0.0.1 that
// answers 401 without the token; the caller gives GOPROXY, GONOSUMDB and the proxy's certificate
// through `env` and the token as the secret. act runs with --insecure-secrets, so the secret is
// not masked in its log: a token that reached any log would be there.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultArtifactClient } from '@actions/artifact';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Manifest } from '../src/report/manifest.js';
import type { ActRun, ActTools } from './support/act.js';
import { execFileAsync, repository, runAct, setUpAct, tc } from './support/act.js';
import { tempDir } from './support/engine.js';
import { moduleWithDependency } from './support/modules.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';

const USER = 'x-access-token';
const TOKEN = `gbm-private-${randomBytes(12).toString('hex')}`;

let tools: ActTools;
beforeAll(async () => {
  tools = await setUpAct();
}, 20 * 60_000);

/** An HTTPS module proxy serving `root` to requests that carry the token (Basic auth), else 401. */
async function privateProxy(
  root: string,
): Promise<{ server: Server; url: string; cert: string; seen: string[] }> {
  const dir = tempDir('private-proxy-tls');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const seen: string[] = [];
  const expected = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const authorized = req.headers.authorization === expected;
    seen.push(`${authorized ? 'token' : req.headers.authorization ? 'wrong' : 'none'} ${req.url ?? ''}`);
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' }).end('401 Unauthorized\n');
      return;
    }
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, cert, seen };
}

// The program: prints its dependency's greeting; smoke-tested as `<dir> <reversed token>` it
// looks for the token in its environment and in every file under dir (the act run's whole
// directory: HOME, every job's RUNNER_TEMP, GOMODCACHE…) and fails when it finds it.
const MAIN = `package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello())
	if len(os.Args) != 3 {
		return
	}
	r := []rune(os.Args[2])
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	needle := string(r)
	for _, kv := range os.Environ() {
		if strings.Contains(kv, needle) {
			fmt.Println("LEAK in the environment")
			os.Exit(1)
		}
	}
	files := 0
	_ = filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		files++
		if strings.Contains(string(b), needle) {
			fmt.Println("LEAK in", p)
			os.Exit(1)
		}
		return nil
	})
	fmt.Printf("clean: %d files\\n", files)
}
`;

/** What the action's step of the build leg logged as errors, and its result. */
function legStep(run: ActRun): { result: string | undefined; errors: string[] } {
  const own = run.lines.filter((l) => l.jobID === 'build' && l.stepID?.join('/') === 'build');
  return {
    result: own.find((l) => l.stage === 'Main' && l.stepResult)?.stepResult,
    errors: own.filter((l) => l.command === 'error').map((l) => l.arg ?? ''),
  };
}

let service: ResultsService | undefined;
let proxyServer: Server | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
  proxyServer?.close();
  proxyServer = undefined;
});

/** The caller's repository: the app, which requires the private example.com/greet, at `app`. */
async function privateRepo() {
  const { dir: app, proxy } = await moduleWithDependency(tc);
  writeFileSync(path.join(app, 'main.go'), MAIN);
  const served = await privateProxy(new URL(proxy).pathname);
  proxyServer = served.server;
  // The smoke test scans `work`, so the repository and both runs live under it.
  const work = tempDir('act-private');
  const reversed = [...TOKEN].reverse().join('');
  const caller = `name: caller
on: push
permissions: {}
jobs:
  gbm:
    permissions:
      contents: read
      statuses: write
      actions: write
    uses: ./.github/workflows/go-build-matrix.yml
    with:
      targets: linux/amd64
      working-directory: app
      go-version: '${tc.release}'
      cache: 'false'
      smoke-test: ${work} ${reversed}
      env: |
        GOPROXY=${served.url}
        GONOSUMDB=example.com
        SSL_CERT_FILE=${served.cert}
      go-private-host: ${served.url.replace('https://', '')}
    secrets:
      go-private-token: \${{ secrets.GO_PRIVATE_TOKEN }}
`;
  const repo = await repository({ 'caller.yml': caller }, { app }, path.join(work, 'repo'));
  return { repo, work, served };
}

/** The manifest the leg uploaded with its artifact, downloaded back from the service. */
async function legManifest(results: ResultsService): Promise<Manifest> {
  const saved = { ...process.env };
  Object.assign(process.env, results.env);
  try {
    const client = new DefaultArtifactClient();
    const { artifacts } = await client.listArtifacts();
    // The reusable workflow's plan derives the prefix (module path and call).
    expect(artifacts.map((a) => a.name)).toEqual([
      expect.stringMatching(/^app-[0-9a-f]{8}-app-linux-amd64$/),
    ]);
    const out = tempDir('act-private-download');
    await client.downloadArtifact(artifacts[0]?.id ?? 0, { path: out });
    const file = readdirSync(out).find((f) => f.endsWith('manifest.json')) ?? 'manifest.json';
    return JSON.parse(readFileSync(path.join(out, file), 'utf8')) as Manifest;
  } finally {
    process.env = saved;
  }
}

/** The smoke-tested binary ran, and found the token neither in its environment nor on disk. */
function expectCleanSmoke(manifest: Manifest): void {
  const [artifact] = manifest.artifacts;
  expect(artifact?.status).toBe('ok');
  expect(artifact?.smoke?.ran).toBe(true);
  expect(artifact?.smoke?.exitCode).toBe(0);
  expect(artifact?.smoke?.output[0]).toBe('hello from a dependency');
  expect(artifact?.smoke?.output[1]).toMatch(/^clean: [1-9]\d* files$/);
}

describe('a private module through the reusable workflow (act, host mode)', () => {
  it(
    'builds only with the go-private-token secret, which reaches no log, environment or file of the build',
    async () => {
      const { repo, work, served } = await privateRepo();

      // Without the secret the proxy refuses Go, and the leg's build fails on it.
      service = await startResultsService({ runId: '1', jobId: '1' });
      // Empty secrets still turn act's masking off (--insecure-secrets), as in the run with the token.
      const without = await runAct(tools, repo, 'caller.yml', {
        env: service.env,
        secrets: {},
        work: path.join(work, 'without'),
      });
      expect([without.exitCode === 0, without.logFile]).toEqual([false, without.logFile]);
      const refused = legStep(without);
      expect([refused.result, without.logFile]).toEqual(['failure', without.logFile]);
      expect(refused.errors.join('\n')).toMatch(/401 Unauthorized/);
      expect(served.seen.length).toBeGreaterThan(0);
      expect(served.seen.filter((s) => !s.startsWith('none '))).toEqual([]);
      await service.close();
      served.seen.length = 0;

      // With it: the download step fetched the module with the token, the build and smoke test passed.
      service = await startResultsService({ runId: '2', jobId: '1' });
      const withToken = await runAct(tools, repo, 'caller.yml', {
        env: service.env,
        secrets: { GO_PRIVATE_TOKEN: TOKEN },
        work: path.join(work, 'with'),
      });
      expect([withToken.exitCode, legStep(withToken).errors, withToken.logFile]).toEqual([
        0,
        [],
        withToken.logFile,
      ]);
      expect(served.seen).toEqual(
        expect.arrayContaining([expect.stringMatching(/^token \/example\.com\/greet\/@v\//)]),
      );
      expect(served.seen.filter((s) => s.startsWith('wrong '))).toEqual([]);
      // The token is nowhere in act's unmasked log (every step's output, every command).
      expect(without.log.includes(TOKEN) || withToken.log.includes(TOKEN)).toBe(false);
      expectCleanSmoke(await legManifest(service));
    },
    30 * 60_000,
  );
});
