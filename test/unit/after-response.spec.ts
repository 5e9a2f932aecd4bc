import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { AFTER_RESPONSE_MAX_PENDING, AfterResponse } from '../../src/common/after-response.js';

describe(AfterResponse.name, () => {
  let after: AfterResponse;

  beforeEach(() => {
    after = new AfterResponse();
  });

  it('should resolve before the work has started, and run it on a later turn', async () => {
    const steps: string[] = [];
    await after.run('test', () => {
      steps.push('work');
      return Promise.resolve();
    });
    steps.push('answered');
    await after.settled();
    expect(steps).toEqual(['answered', 'work']);
  });

  it('should log a failure rather than reject', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await after.run('test', () => Promise.reject(new Error('database down')));
      await after.settled();
      expect(error).toHaveBeenCalledWith(expect.objectContaining({ msg: 'test failed after the answer' }));
    } finally {
      error.mockRestore();
    }
  });

  it('should make callers wait for their own work past the bound of pending work', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (let i = 0; i < AFTER_RESPONSE_MAX_PENDING; i++) {
      await after.run('held', () => gate);
    }
    let done = false;
    const over = after.run('over', () => {
      done = true;
      return Promise.resolve();
    });
    await over;
    // Resolved only once its own work ran, while the others still wait.
    expect(done).toBe(true);
    release();
    await after.settled();
  });

  it('should wait at shutdown for the work under way', async () => {
    let finished = false;
    await after.run('slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    await after.beforeApplicationShutdown();
    expect(finished).toBe(true);
  });
});
