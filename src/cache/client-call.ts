import { AsyncLocalStorage } from 'node:async_hooks';

// Runs one call of an @actions client (cache or artifact) the way this project needs it:
// with the job's env visible to the client, bounded in time, and with the client's own
// annotations captured instead of printed, so the caller reports a failure once, in its words.

/** The variables the @actions/cache and @actions/artifact clients read from process.env. */
const CLIENT_ENV = [
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY',
  'ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
] as const;

export class ClientTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${formatDuration(ms)}`);
    this.name = 'ClientTimeoutError';
  }
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export interface ClientCall<T> {
  /** What the client returned; undefined when it threw or timed out. */
  value: T | undefined;
  /** What it threw, or the ClientTimeoutError; null when it returned. */
  error: unknown;
  /** The client's own warning/error messages printed during the call. */
  annotations: string[];
}

/** Everything that went wrong in a call, as sentences. */
export function problemsOf(call: ClientCall<unknown>): string[] {
  const thrown =
    call.error === null ? [] : [call.error instanceof Error ? call.error.message : String(call.error)];
  return [...call.annotations, ...thrown];
}

type Write = typeof process.stdout.write;
type Listener = (line: string) => boolean;
// Lines are attributed to the call whose async context prints them, so a call that timed out
// and reports later, or unrelated code printing meanwhile, never lands in another call's result.
const context = new AsyncLocalStorage<Listener>();
let activeCalls = 0;
let originalWrite: Write | null = null;

// The clients report failures through @actions/core, which prints `::warning::…` / `::error::…`
// (and some save failures as plain "Failed to save: …") to stdout; restoreCache/saveCache give
// no other sign of trouble. We capture those lines while a call runs.
function installTap(): void {
  activeCalls++;
  if (originalWrite) return;
  const original = process.stdout.write;
  originalWrite = original;
  const write = (...args: unknown[]): boolean =>
    (original as (...a: unknown[]) => boolean).apply(process.stdout, args);
  const tapped = (chunk: unknown, ...rest: unknown[]): boolean => {
    const take = context.getStore();
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : null;
    if (!take || text === null) return write(chunk, ...rest);
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => !take(line.replace(/\r?\n$/, '')))
      .join('');
    if (kept !== '') return write(kept, ...rest);
    const callback = rest.at(-1);
    if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
    return true;
  };
  process.stdout.write = tapped as Write;
}

function removeTap(): void {
  activeCalls--;
  if (activeCalls > 0 || !originalWrite) return;
  process.stdout.write = originalWrite;
  originalWrite = null;
}

const ANNOTATION = /^::(warning|error)(?: [^:]*)?::(.*)$/;

function unescapeCommandData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Makes the client see exactly the job env's values for the variables it reads. */
function applyEnv(env: Readonly<Record<string, string | undefined>>): () => void {
  const saved = CLIENT_ENV.map((name) => [name, process.env[name]] as const);
  for (const name of CLIENT_ENV) {
    const value = env[name];
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}

/**
 * Calls `fn` with `env` applied, gives up after `timeoutMs` (the clients set no timeout on
 * their service calls and hang forever on a silent service), and never throws.
 */
export async function callClient<T>(
  what: string,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<ClientCall<T>> {
  const annotations: string[] = [];
  let open = true;
  const listener = (line: string): boolean => {
    if (!open) return false;
    const annotation = ANNOTATION.exec(line);
    if (annotation) {
      annotations.push(unescapeCommandData(annotation[2] ?? ''));
      return true;
    }
    if (/^Failed to (save|restore): /.test(line)) {
      annotations.push(line);
      return true;
    }
    return false;
  };
  installTap();
  const restoreEnv = applyEnv(env);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClientTimeoutError(what, timeoutMs)), timeoutMs);
    });
    const value = await Promise.race([context.run(listener, fn), timeout]);
    return { value, error: null, annotations };
  } catch (error) {
    return { value: undefined, error, annotations };
  } finally {
    clearTimeout(timer);
    restoreEnv();
    open = false;
    removeTap();
  }
}
