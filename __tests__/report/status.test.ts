// The real @actions/github client against a local stand-in for the REST API.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MemoryLogger } from '../../src/log.js';
import { setCommitStatus } from '../../src/report/status.js';
import { entry, manifest, verified } from './fixtures.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

const TOKEN = 'ghs_statusSecret123';
const received: Received[] = [];
let answer = { status: 201, body: {} as unknown };
let server: http.Server;
let apiUrl = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function actionsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    ...extra,
  };
}

const twelve = Array.from({ length: 12 }, (_, i) => entry(`linux/arch${i}`));

function messages(log: MemoryLogger): string {
  return log.lines.map((l) => `${l.level}: ${l.message}`).join('\n');
}

describe('setCommitStatus', () => {
  it('posts one success status on GITHUB_SHA with the run as target_url', async () => {
    received.length = 0;
    answer = { status: 201, body: { id: 1, state: 'success' } };
    const log = new MemoryLogger();
    await setCommitStatus(manifest(twelve), { token: TOKEN, env: actionsEnv(), log });
    expect(received).toEqual([
      {
        method: 'POST',
        url: `/repos/octo/app/statuses/${'a'.repeat(40)}`,
        authorization: `token ${TOKEN}`,
        body: {
          state: 'success',
          context: 'go-build-matrix',
          description: '12/12 targets verified',
          target_url: 'https://github.com/octo/app/actions/runs/4242',
        },
      },
    ]);
    expect(log.lines.filter((l) => l.level === 'warning')).toEqual([]);
  });

  it('prefers the pull request head sha from the event payload, and reports failure', async () => {
    received.length = 0;
    answer = { status: 201, body: {} };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-event-'));
    const event = path.join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { head: { sha: 'b'.repeat(40) } } }));
    const failing = [
      ...twelve.slice(1),
      entry('linux/mips', { status: 'verify-failed', verify: verified({ ok: false, problems: ['x'] }) }),
    ];
    await setCommitStatus(manifest(failing), {
      token: TOKEN,
      env: actionsEnv({ GITHUB_EVENT_PATH: event, GITHUB_RUN_ID: '' }),
      log: new MemoryLogger(),
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe(`/repos/octo/app/statuses/${'b'.repeat(40)}`);
    expect(received[0]?.body).toEqual({
      state: 'failure',
      context: 'go-build-matrix',
      description: '11/12 targets verified',
    });
  });

  it('turns a 403 into a warning that names the statuses: write permission, without the token', async () => {
    answer = { status: 403, body: { message: `Resource not accessible by integration (${TOKEN})` } };
    const log = new MemoryLogger();
    await expect(
      setCommitStatus(manifest(twelve), { token: TOKEN, env: actionsEnv(), log }),
    ).resolves.toBeUndefined();
    const warnings = log.lines.filter((l) => l.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/Resource not accessible by integration/);
    expect(warnings[0]?.message).toContain('statuses: write');
    expect(messages(log)).not.toContain(TOKEN);
  });

  it('turns a 404 into the same permission hint', async () => {
    answer = { status: 404, body: { message: 'Not Found' } };
    const log = new MemoryLogger();
    await setCommitStatus(manifest(twelve), { token: TOKEN, env: actionsEnv(), log });
    expect(messages(log)).toMatch(/warning: .*Not Found.*statuses: write/);
    expect(messages(log)).not.toContain(TOKEN);
  });

  it('warns about an API that cannot be reached, without throwing', async () => {
    const log = new MemoryLogger();
    await setCommitStatus(manifest(twelve), {
      token: TOKEN,
      env: actionsEnv({ GITHUB_API_URL: 'http://127.0.0.1:9' }),
      log,
    });
    expect(messages(log)).toMatch(/^warning: The commit status could not be set/);
    expect(messages(log)).not.toContain(TOKEN);
  });

  it('says what is missing instead of calling the API', async () => {
    received.length = 0;
    const log = new MemoryLogger();
    await setCommitStatus(manifest(twelve), {
      token: '',
      env: { GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: 'octo' },
      log,
    });
    expect(received).toEqual([]);
    expect(messages(log)).toBe(
      'warning: No commit status was set: a token (input github-token; GITHUB_TOKEN or GH_TOKEN on the command line) and the repository (GITHUB_REPOSITORY as OWNER/REPO) and the commit (GITHUB_SHA) are missing. Set status: true only inside GitHub Actions, with github-token.',
    );
  });
});
