// Seeds of the randomised tests: a new one each run (so runs keep exploring), or the one an
// environment variable names (so a failure seen in CI replays here). A failure's message ends
// with the line that replays it; the test's corpus keeps what an earlier run found.
import { randomInt } from 'node:crypto';
import fc from 'fast-check';

/** The seed `variable` names (an integer, as a failure prints it), else a fresh one. */
export function seedFrom(variable: string): number {
  const text = process.env[variable]?.trim() ?? '';
  if (text === '') return randomInt(2 ** 31 - 1);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${variable}=${JSON.stringify(text)} is not a seed; give the integer a failure printed`);
  }
  return seed;
}

/**
 * fast-check parameters for a run with `seed`: fast-check's own report (seed, path, counterexample)
 * with the environment variable that replays the run appended.
 */
export function replayable(variable: string, seed: number) {
  return {
    seed,
    reporter<T>(details: fc.RunDetails<T>): void {
      if (!details.failed) return;
      const message = `${fc.defaultReportMessage(details)}\nReplay this run with ${variable}=${details.seed}.`;
      throw new Error(message, { cause: details.errorInstance });
    },
  };
}

/** fast-check counts the examples in numRuns: this runs every example of a corpus, then `runs` random cases. */
export function withCorpus<T>(runs: number, examples: T[]): { numRuns: number; examples: T[] } {
  return { numRuns: runs + examples.length, examples };
}
