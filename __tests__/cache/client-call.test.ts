// callClient shares process.env between calls in flight (the clients read it): GOMODCACHE and
// GOCACHE are restored at once, so the first call to finish must not take the job env away from
// the other, and the env the process had before comes back when the last one ends.
import { afterEach, describe, expect, it } from '@jest/globals';
import { callClient } from '../../src/cache/client-call.js';

const JOB = { ACTIONS_RESULTS_URL: 'http://results.example/', ACTIONS_RUNTIME_TOKEN: 'job-token' };
const before = { ...process.env };
afterEach(() => {
  process.env = { ...before };
});

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('callClient and the job env', () => {
  it('keeps the job env for a call still in flight when another finishes, then restores the process env', async () => {
    process.env.ACTIONS_RESULTS_URL = 'http://outer.example/';
    Reflect.deleteProperty(process.env, 'ACTIONS_RUNTIME_TOKEN');
    const seen: (string | undefined)[] = [];
    const [short, long] = await Promise.all([
      callClient('short', JOB, 5000, async () => {
        await later(10);
        return process.env.ACTIONS_RUNTIME_TOKEN;
      }),
      callClient('long', JOB, 5000, async () => {
        await later(60);
        seen.push(process.env.ACTIONS_RUNTIME_TOKEN, process.env.ACTIONS_RESULTS_URL);
        return 'done';
      }),
    ]);
    expect(short).toEqual({ value: 'job-token', error: null, annotations: [] });
    expect(long.value).toBe('done');
    expect(seen).toEqual(['job-token', 'http://results.example/']);
    expect(process.env.ACTIONS_RESULTS_URL).toBe('http://outer.example/');
    expect(process.env.ACTIONS_RUNTIME_TOKEN).toBeUndefined();
  });

  it('refuses a call with another env while one is in flight, without disturbing it', async () => {
    const other = { ...JOB, ACTIONS_RUNTIME_TOKEN: 'another-token' };
    const first = callClient('first', JOB, 5000, async () => {
      await later(30);
      return process.env.ACTIONS_RUNTIME_TOKEN;
    });
    const second = await callClient('second', other, 5000, async () => 'ran');
    expect(second.value).toBeUndefined();
    expect(String(second.error)).toMatch(/must share one job environment/);
    expect((await first).value).toBe('job-token');
  });

  it('a timed-out call gives the env back too', async () => {
    const call = await callClient('hang', JOB, 20, () => new Promise<never>(() => undefined));
    expect(String(call.error)).toMatch(/hang did not answer within 20 ms/);
    expect(process.env.ACTIONS_RUNTIME_TOKEN).toBe(before.ACTIONS_RUNTIME_TOKEN);
  });
});
