import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { InstanceEvents } from '../redis/instance-events.js';
import type { PolledRevocations } from './polled-revocations.js';
import type { Revocations } from './revocations.js';
import { describeError } from '../logging/loggable-error.js';

/**
 * Revocations shared through Redis (REDIS_URL): a session this process ends is refused here at
 * once and published; a session another process ends is added to the local list as its message
 * arrives, so isRevoked() stays in memory. The database poll underneath stays the backstop: while
 * Redis is down revocations still arrive, within REVOCATION_POLL_INTERVAL, and after the
 * subscriber reconnects what it missed is read again from the database.
 */
export class FannedOutRevocations implements Revocations, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FannedOutRevocations.name);

  constructor(
    private readonly polled: PolledRevocations,
    private readonly events: InstanceEvents,
  ) {
    events.on('sessions.ended', ({ sessionIds }) => polled.revoked(sessionIds));
    events.onResync((since) => {
      polled
        .resync(since)
        .catch((error: unknown) => this.logger.error(`revocation resync failed: ${describeError(error)}`));
    });
  }

  onModuleInit(): Promise<void> {
    return this.polled.onModuleInit();
  }

  onModuleDestroy(): void {
    this.polled.onModuleDestroy();
  }

  isRevoked(sessionId: string): boolean {
    return this.polled.isRevoked(sessionId);
  }

  revoked(sessionIds: readonly string[]): void {
    this.polled.revoked(sessionIds);
    if (sessionIds.length > 0) {
      this.events.publish({ type: 'sessions.ended', sessionIds: [...sessionIds] });
    }
  }
}
