import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { shutDownOnSignals, type ShutdownSteps } from '../../src/health/graceful-shutdown.js';

describe('shutDownOnSignals', () => {
  let signals: EventEmitter;
  let calls: string[];
  let finishListener: () => void;
  let steps: ShutdownSteps;

  const flush = async () => {
    for (let i = 0; i < 5; i++) {
      await Promise.resolve();
    }
  };

  beforeEach(() => {
    jest.useFakeTimers();
    signals = new EventEmitter();
    calls = [];
    steps = {
      delayMs: 5_000,
      drain: (signal) => calls.push(`drain ${signal}`),
      closeListener: () =>
        new Promise<void>((resolve) => {
          calls.push('closeListener');
          finishListener = resolve;
        }),
      closeApp: () => {
        calls.push('closeApp');
        return Promise.resolve();
      },
      flushTraces: () => {
        calls.push('flushTraces');
        return Promise.resolve();
      },
      exit: (code) => calls.push(`exit ${code}`),
      log: () => undefined,
      error: (message) => calls.push(`error ${message}`),
    };
    shutDownOnSignals(signals as unknown as NodeJS.Process, steps);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('should drain at once, keep the listener open for the delay, then close it, the app, and exit 0', async () => {
    signals.emit('SIGTERM', 'SIGTERM');
    expect(calls).toEqual(['drain SIGTERM']);
    jest.advanceTimersByTime(4_999);
    await flush();
    expect(calls).toEqual(['drain SIGTERM']);
    jest.advanceTimersByTime(1);
    await flush();
    expect(calls).toEqual(['drain SIGTERM', 'closeListener']);
    // The app (workers, database) closes only once the requests in flight are answered.
    finishListener();
    await flush();
    expect(calls).toEqual(['drain SIGTERM', 'closeListener', 'closeApp', 'flushTraces', 'exit 0']);
  });

  it('should close the metrics listener after the public one, before the app and the traces', async () => {
    const withMetrics = new EventEmitter();
    const order: string[] = [];
    shutDownOnSignals(withMetrics as unknown as NodeJS.Process, {
      ...steps,
      delayMs: 0,
      closeListener: () => Promise.resolve(void order.push('closeListener')),
      closeMetrics: () => Promise.resolve(void order.push('closeMetrics')),
      closeApp: () => Promise.resolve(void order.push('closeApp')),
      flushTraces: () => Promise.resolve(void order.push('flushTraces')),
      exit: (code) => order.push(`exit ${code}`),
    });
    withMetrics.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(0);
    // One step per await: the listener, the metrics, the app, the traces, then the exit.
    for (let step = 0; step < 5; step++) {
      await flush();
    }
    expect(order).toEqual(['closeListener', 'closeMetrics', 'closeApp', 'flushTraces', 'exit 0']);
  });

  it('should take SIGINT as SIGTERM', async () => {
    signals.emit('SIGINT', 'SIGINT');
    jest.advanceTimersByTime(5_000);
    await flush();
    expect(calls).toEqual(['drain SIGINT', 'closeListener']);
  });

  it('should skip the rest of the delay on a second signal, still letting requests in flight finish', async () => {
    signals.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(1_000);
    signals.emit('SIGTERM', 'SIGTERM');
    await flush();
    expect(calls).toEqual(['drain SIGTERM', 'closeListener']);
    finishListener();
    await flush();
    expect(calls.at(-1)).toBe('exit 0');
  });

  it('should exit at once with 1 on a signal while closing', async () => {
    signals.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(5_000);
    await flush();
    signals.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual(['drain SIGTERM', 'closeListener', 'exit 1']);
  });

  it('should exit 1 when closing fails', async () => {
    steps.closeApp = () => Promise.reject(new Error('database would not close'));
    signals.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(5_000);
    await flush();
    finishListener();
    await flush();
    expect(calls).toEqual(['drain SIGTERM', 'closeListener', 'error shutdown failed', 'exit 1']);
  });
});
