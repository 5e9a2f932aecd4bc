import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.schema.js';
import { REVOCATION_LIST, type RevocationList } from './revocation-list.js';
import type { Revocations } from './revocations.js';
import { SessionsRepository } from './sessions.repository.js';
import { describeError } from '../logging/loggable-error.js';

/**
 * How late a session's end may be committed after the time it records (`endedAt` is taken before
 * the UPDATE runs, by whichever process ends it: an instance or the CLI). Each poll reads again
 * from this much before the last one began, so an end committed late, on a loaded database, is
 * not skipped (docs/decisions.md). Adding a session read twice is harmless.
 */
const LATE_COMMIT_MS = 10_000;

/**
 * Revocations of one process: its own at once, those of other processes (the operators' CLI,
 * other instances) from the database, loaded at start-up and polled every
 * REVOCATION_POLL_INTERVAL: one small query per interval, none per request. An ended session is
 * listed until its last access token has expired.
 */
@Injectable()
export class PolledRevocations implements Revocations, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PolledRevocations.name);
  /** How long an ended session stays listed: until its last access token can no longer be accepted. */
  private readonly listForMs: number;
  private readonly pollMs: number;
  private poller?: NodeJS.Timeout;
  private polledUntil = new Date(0);

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(REVOCATION_LIST) private readonly list: RevocationList,
    config: ConfigService<Env, true>,
  ) {
    const durations = config.get('durations', { infer: true });
    this.listForMs = durations.accessTokenAcceptedMs;
    this.pollMs = durations.revocationPollMs;
  }

  async onModuleInit(): Promise<void> {
    await this.sync(new Date(Date.now() - this.listForMs));
    this.poller = setInterval(() => {
      // From a little before the last poll began: a session ended while it ran is not missed.
      this.sync(new Date(this.polledUntil.getTime() - this.pollMs - LATE_COMMIT_MS)).catch((error: unknown) =>
        this.logger.error(`revocation sync failed: ${describeError(error)}`),
      );
    }, this.pollMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
  }

  isRevoked(sessionId: string): boolean {
    return this.list.isRevoked(sessionId);
  }

  revoked(sessionIds: readonly string[]): void {
    const until = new Date(Date.now() + this.listForMs);
    for (const id of sessionIds) {
      this.list.add(id, until);
    }
  }

  /**
   * Reads again the sessions ended since `since` (less one poll interval, for transactions that
   * were still running), for a fan-out that may have missed messages.
   */
  resync(since: Date): Promise<void> {
    return this.sync(new Date(since.getTime() - this.pollMs - LATE_COMMIT_MS));
  }

  private async sync(since: Date): Promise<void> {
    const startedAt = new Date();
    for (const { id, endedAt } of await this.sessions.endedSince(since)) {
      this.list.add(id, new Date(endedAt.getTime() + this.listForMs));
    }
    this.list.prune();
    this.polledUntil = startedAt;
  }
}
