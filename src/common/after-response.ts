import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';

/** Work started and not settled beyond which callers wait for theirs (a flood, a slow database). */
export const AFTER_RESPONSE_MAX_PENDING = 1_000;

/**
 * Work a route does after it has answered, so that its answer cannot depend on the work: the
 * public mail routes answer one 202 at once, then look the target up and queue its mail here,
 * so a known target (a token issued, an outbox row written) answers as fast as an unknown one
 * (no enumeration by time, docs/email.md). Started on the next turn of the event loop, after the
 * answer is written; a failure is logged (the caller was told nothing either way). Shutdown waits
 * for what is under way. Bounded: past AFTER_RESPONSE_MAX_PENDING unsettled tasks, run() resolves
 * only once its own work has settled, so a flood slows its senders instead of piling up work.
 */
@Injectable()
export class AfterResponse implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AfterResponse');
  private readonly pending = new Set<Promise<void>>();

  /** Starts `work` after the answer; resolves at once, or (over the bound) once it has settled. */
  run(what: string, work: () => Promise<void>): Promise<void> {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => this.logger.error({ msg: `${what} failed after the answer`, err: error }))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
    return this.pending.size > AFTER_RESPONSE_MAX_PENDING ? done : Promise.resolve();
  }

  /** Resolves once the work started so far has settled (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.all(this.pending);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}
