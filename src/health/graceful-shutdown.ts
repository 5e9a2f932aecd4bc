/** What the shutdown sequence does, step by step (main.ts wires them to the app and the process). */
export interface ShutdownSteps {
  /** How long the listener stays open after the signal while readiness answers 503. */
  delayMs: number;
  /** Readiness fails from now on. */
  drain(signal: string): void;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  closeListener(): Promise<void>;
  /**
   * The metrics listener (METRICS_PORT), once the public one has closed: scrapes go on while the
   * requests in flight finish, so their last counts are seen.
   */
  closeMetrics?(): Promise<void>;
  /** Everything else: hashing workers, the database, timers. */
  closeApp(): Promise<void>;
  /** Exports the spans still buffered (the requests just answered), when tracing is on. */
  flushTraces(): Promise<void>;
  exit(code: number): void;
  log(message: string): void;
  error(message: string, error: unknown): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * A rolling deploy's shutdown: on SIGTERM or SIGINT, readiness fails at once; after `delayMs`
 * (load balancers stop sending meanwhile, requests are still served) the listener closes, letting
 * requests in flight finish; then the app, then exit 0. A second signal during the delay skips
 * the rest of it; one while closing exits at once, with 1: what was in flight is cut.
 */
export function shutDownOnSignals(process: Pick<NodeJS.Process, 'on'>, steps: ShutdownSteps): void {
  let state: 'serving' | 'delaying' | 'closing' = 'serving';
  let skipDelay: (() => void) | undefined;

  const close = async (): Promise<void> => {
    state = 'closing';
    steps.log('closing: no new connections; waiting for the requests in flight');
    await steps.closeListener();
    await steps.closeMetrics?.();
    await steps.closeApp();
    await steps.flushTraces();
  };

  const onSignal = (signal: string): void => {
    if (state === 'delaying') {
      steps.log(`${signal} again: closing without waiting`);
      skipDelay?.();
      return;
    }
    if (state === 'closing') {
      steps.log(`${signal} while closing: exiting at once`);
      steps.exit(1);
      return;
    }
    state = 'delaying';
    steps.drain(signal);
    steps.log(`${signal}: readiness answers 503; closing in ${steps.delayMs / 1000} s`);
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, steps.delayMs);
      skipDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    })
      .then(close)
      .then(
        () => steps.exit(0),
        (error: unknown) => {
          steps.error('shutdown failed', error);
          steps.exit(1);
        },
      );
  };

  for (const signal of SIGNALS) {
    process.on(signal, onSignal);
  }
}
