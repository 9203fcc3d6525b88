// How long each stage of a run took: in the manifest (`stageSeconds`, the stages before it) and
// one log line at the end, so a slow run says where its time went.
import type { Logger } from '../log.js';

export class StageClock {
  private readonly seconds: [string, number][] = [];

  /** Runs one stage and keeps its wall time under `name`. */
  async time<T>(name: string, stage: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await stage();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.seconds.push([name, Math.round(seconds * 100) / 100]);
    }
  }

  /** The stages timed so far, in the order they ran. */
  soFar(): Record<string, number> {
    return Object.fromEntries(this.seconds);
  }

  report(log: Logger): void {
    log.info(`Stage times: ${this.seconds.map(([name, s]) => `${name} ${s.toFixed(2)} s`).join(', ')}.`);
  }
}
