/**
 * Runs tasks with at most `concurrency` at once, in the given order. With `failFast`, no new
 * task starts after one has failed; the ones not started are reported as such.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  failFast: boolean,
  task: (item: T) => Promise<R>,
  failed: (result: R) => boolean,
  notStarted: (item: T) => R,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      if (stop) {
        results[index] = notStarted(item);
        continue;
      }
      const result = await task(item);
      results[index] = result;
      if (failFast && failed(result)) stop = true;
    }
  };
  const workers = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
