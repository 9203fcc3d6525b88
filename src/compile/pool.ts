/**
 * Runs tasks in the given order with at most `concurrency` holding a slot at once. A task may
 * give its slot back early through `release` and go on working: a target frees its slot once it
 * is built and checked, so the next build starts while it is still being archived. With
 * `failFast`, no new task starts after one has failed; the ones not started are reported as such.
 * A task that fails holds its slot until its result is known, so fail-fast never races it.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  failFast: boolean,
  task: (item: T, release: () => void) => Promise<R>,
  failed: (result: R) => boolean,
  notStarted: (item: T) => R,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const limit = Math.max(1, concurrency);
  let held = 0;
  let stop = false;
  const waiting: (() => void)[] = [];
  const freeSlot = (): void => {
    held--;
    waiting.shift()?.();
  };
  const running: Promise<void>[] = [];
  // A task that throws stops new starts; the error is rethrown once the running ones are done
  // (caught at once, so it is never an unhandled rejection while the loop waits for a slot).
  let thrown: { error: unknown } | null = null;
  for (const [index, item] of items.entries()) {
    while (held >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    if (stop) {
      results[index] = notStarted(item);
      continue;
    }
    held++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      freeSlot();
    };
    running.push(
      task(item, release)
        .then((result) => {
          results[index] = result;
          if (failFast && failed(result)) stop = true;
        })
        .catch((error: unknown) => {
          thrown ??= { error };
          stop = true;
        })
        .finally(release),
    );
  }
  await Promise.all(running);
  if (thrown) throw (thrown as { error: unknown }).error;
  return results;
}
