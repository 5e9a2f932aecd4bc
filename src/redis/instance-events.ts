import { randomUUID } from 'node:crypto';
import { Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Metrics } from '../metrics/metrics.js';
import { COMMAND_TIMEOUT_MS, withTimeout, type RedisConnection } from './redis-connection.js';
import { describeError } from '../logging/loggable-error.js';

/**
 * What one process tells the others (docs/scaling.md#redis). Each feature owns the meaning of
 * its own: sessions/ publishes and applies `sessions.ended`, users/ `user.changed`, keys/
 * `keys.changed` (a key created, activated or revoked: read the keys again).
 */
export type InstanceEvent =
  | { type: 'sessions.ended'; sessionIds: string[] }
  | { type: 'user.changed'; userId: number }
  | { type: 'keys.changed' };

type Handler<T extends InstanceEvent['type']> = (event: Extract<InstanceEvent, { type: T }>) => void;

/**
 * Messages on the wire carry the sender, so that a process skips its own, and when it sent them
 * (epoch ms; absent from older senders), for redis_fanout_lag_seconds.
 */
type Envelope = InstanceEvent & { origin: string; sentAt?: number };

function parse(message: string): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const event = value as Record<string, unknown>;
  if (typeof event.origin !== 'string' || (event.sentAt !== undefined && !Number.isFinite(event.sentAt))) {
    return undefined;
  }
  if (
    event.type === 'sessions.ended' &&
    Array.isArray(event.sessionIds) &&
    event.sessionIds.every((id) => typeof id === 'string')
  ) {
    return event as Envelope;
  }
  if (event.type === 'user.changed' && Number.isSafeInteger(event.userId)) {
    return event as Envelope;
  }
  if (event.type === 'keys.changed') {
    return event as Envelope;
  }
  return undefined;
}

/**
 * Pub/sub between the instances (and the operators' CLI) on one channel, `<REDIS_KEY_PREFIX>events`.
 * Pub/sub loses what is published while a subscriber is disconnected, so after every reconnect the
 * features resynchronise (onResync): revocations from the database, the user cache by emptying it.
 */
export class InstanceEvents implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(InstanceEvents.name);
  private readonly origin = randomUUID();
  readonly channel: string;
  private readonly handlers = new Map<string, ((event: InstanceEvent) => void)[]>();
  private readonly resyncHandlers: ((since: Date) => void)[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly startedAt = new Date();

  constructor(
    private readonly connection: RedisConnection,
    private readonly metrics?: Metrics,
  ) {
    this.channel = `${connection.prefix}events`;
    connection.onSubscriberReconnected((downSince) => this.resync(downSince));
  }

  onModuleInit(): void {
    // Not awaited: with Redis down the SUBSCRIBE waits in the subscriber's queue for the connection.
    this.connection.subscriber
      .subscribe(this.channel, (message) => this.receive(message))
      // What was published between start-up's database load and the subscription is read again.
      .then(() => this.resync(this.startedAt))
      .catch((error: unknown) =>
        this.logger.error(`subscribing to ${this.channel} failed: ${describeError(error)}`),
      );
  }

  /** Tells the other processes, without waiting; while Redis is down they learn it otherwise. */
  publish(event: InstanceEvent): void {
    const sent = this.connection.canSend()
      ? withTimeout(
          this.connection.commands.publish(
            this.channel,
            JSON.stringify({ ...event, origin: this.origin, sentAt: Date.now() }),
          ),
          COMMAND_TIMEOUT_MS,
          'fan-out',
        )
      : Promise.reject(new Error('Redis is unreachable'));
    const settled = sent
      .then(() => this.connection.backOnRedis('fan-out'))
      .catch((error: unknown) =>
        this.connection.fellBack('fan-out', 'the database poll (REVOCATION_POLL_INTERVAL)', error),
      )
      .finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }

  on<T extends InstanceEvent['type']>(type: T, handler: Handler<T>): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as (event: InstanceEvent) => void);
    this.handlers.set(type, list);
  }

  /** `handler(since)`: messages published since `since` may have been missed. */
  onResync(handler: (since: Date) => void): void {
    this.resyncHandlers.push(handler);
  }

  /** What this process published reaches Redis before the connections close (the CLI exits at once). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private receive(message: string): void {
    const event = parse(message);
    if (event === undefined) {
      this.logger.warn(`ignored a malformed message on ${this.channel}`);
      return;
    }
    if (event.origin === this.origin) {
      return;
    }
    if (event.sentAt !== undefined) {
      this.metrics?.fannedOut(event.type, (Date.now() - event.sentAt) / 1000);
    }
    for (const handler of this.handlers.get(event.type) ?? []) {
      handler(event);
    }
  }

  private resync(since: Date): void {
    for (const handler of this.resyncHandlers) {
      handler(since);
    }
  }
}
