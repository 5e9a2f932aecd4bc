import { createHash } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import type { Env } from '../config/env.schema.js';
import { traceRedisCommands } from '../tracing/tracing.js';

// No modules, functions or scripts of node-redis's own; RESP3 (its default).
type RedisClient = RedisClientType<{}, {}, {}, 3, {}>; // eslint-disable-line @typescript-eslint/no-empty-object-type

/** What a readiness check reports of Redis (docs/scaling.md#redis). */
export interface RedisStateDetails {
  status: 'up' | 'down';
  /** When the status last changed (ISO 8601). */
  since: string;
  commands: 'up' | 'down';
  subscriber: 'up' | 'down';
  /** The last connection error of this outage, without the URL. */
  error?: string;
  /** What runs without Redis right now, e.g. "throttling: per-instance memory". */
  fallbacks: string[];
}

/** Redis as readiness sees it (redisHealth(), under REDIS_HEALTH); RedisConnection implements it. */
export interface RedisState {
  /** Both connections (commands and subscriber) are ready. */
  isUp(): boolean;
  details(): RedisStateDetails;
}

/** A Lua script run by EVALSHA, loaded with EVAL when the server does not know it yet. */
export class LuaScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }
}

/** How long start-up waits for Redis before going on without it. */
const CONNECT_WAIT_MS = 2000;
/** A command not answered within this is taken as failed (the caller falls back). */
export const COMMAND_TIMEOUT_MS = 1000;

/**
 * `promise`, or a rejection after `ms`. node-redis's own command timeout stops counting once a
 * command is written, so a Redis that stops answering without closing the connection would
 * otherwise hold a login until TCP keepalive gives up (minutes).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Exponential backoff from 100 ms up to 2 s, with jitter so instances do not reconnect in step. */
export function reconnectDelay(retries: number): number {
  return Math.min(100 * 2 ** Math.min(retries, 5), 2000) + Math.floor(Math.random() * 100);
}

const describeError = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n', 1)[0].slice(0, 200);

/**
 * The two Redis connections of a process, opened only when REDIS_URL is set: `commands`
 * (throttling counters, PUBLISH), which refuses commands at once while disconnected so that callers
 * fall back instead of queueing, and `subscriber`, dedicated to pub/sub as Redis requires. Both
 * reconnect by themselves; an outage is logged once when it begins and once when it ends, not per
 * retry. Closed when the application shuts down.
 */
export class RedisConnection implements RedisState, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly ready = { commands: false, subscriber: false };
  private up = false;
  private since = new Date();
  private lastError?: string;
  /** Set while the subscriber is disconnected: messages published since then were lost to it. */
  private subscriberDownSince?: Date;
  private readonly subscriberReadyListeners: ((downSince: Date) => void)[] = [];
  private readonly fallbacks = new Map<string, string>();
  private closing = false;
  private everUp = false;

  private constructor(
    readonly commands: RedisClient,
    readonly subscriber: RedisClient,
    /** Starts every key and channel name: REDIS_KEY_PREFIX. */
    readonly prefix: string,
    /** host:port, for log lines: never the URL, which may hold a password. */
    private readonly address: string,
  ) {
    this.watch('commands', commands);
    this.watch('subscriber', subscriber);
  }

  /**
   * Creates both connections and waits briefly for them; an unreachable Redis does not stop the
   * start (everything falls back, and the connections keep retrying). The `redis` package is
   * loaded here, so a process without REDIS_URL never loads it.
   */
  static async open(env: Env): Promise<RedisConnection> {
    if (env.REDIS_URL === undefined) {
      throw new Error('RedisConnection.open needs REDIS_URL');
    }
    const { createClient } = await import('redis');
    const url = new URL(env.REDIS_URL);
    const commands = createClient({
      url: env.REDIS_URL,
      disableOfflineQueue: true,
      // Bounds only the wait to be written; withTimeout() bounds the wait for the answer.
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: CONNECT_WAIT_MS, reconnectStrategy: reconnectDelay },
    });
    // Offline queue kept: SUBSCRIBE is sent whenever it connects, and resent after each reconnect.
    const subscriber = commands.duplicate({ disableOfflineQueue: false, commandOptions: {} });
    // After duplicate(): the subscriber's one long SUBSCRIBE is no span.
    traceRedisCommands(commands);
    const connection = new RedisConnection(commands, subscriber, env.REDIS_KEY_PREFIX, url.host);
    await connection.connect();
    return connection;
  }

  private async connect(): Promise<void> {
    const connected = Promise.all([this.commands.connect(), this.subscriber.connect()]);
    // connect() settles on the first connection; while Redis is down it stays pending (retrying).
    connected.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      connected,
      new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS).unref())),
    ]).catch(() => undefined);
    clearTimeout(timer);
    if (!this.up) {
      this.logger.warn(
        `Redis at ${this.address} is unreachable${this.lastError ? ` (${this.lastError})` : ''}: starting without it, retrying in the background`,
      );
    }
  }

  private watch(name: 'commands' | 'subscriber', client: RedisClient): void {
    // Without an 'error' listener an EventEmitter's error would crash the process.
    client.on('error', (error: unknown) => this.lost(name, describeError(error)));
    client.on('reconnecting', () => this.lost(name));
    client.on('end', () => this.lost(name));
    client.on('ready', () => this.regained(name));
  }

  private lost(name: 'commands' | 'subscriber', error?: string): void {
    if (error !== undefined) {
      this.lastError = error;
    }
    this.ready[name] = false;
    if (name === 'subscriber') {
      this.subscriberDownSince ??= new Date();
    }
    if (this.up && !this.closing) {
      this.up = false;
      this.since = new Date();
      this.logger.warn(
        `Redis at ${this.address} is unreachable${this.lastError ? ` (${this.lastError})` : ''}: ` +
          'throttling counts per instance, revocations reach other instances by the database poll; reconnecting',
      );
    }
  }

  private regained(name: 'commands' | 'subscriber'): void {
    this.ready[name] = true;
    if (name === 'subscriber' && this.subscriberDownSince !== undefined) {
      const downSince = this.subscriberDownSince;
      this.subscriberDownSince = undefined;
      for (const listener of this.subscriberReadyListeners) {
        listener(downSince);
      }
    }
    if (!this.up && this.ready.commands && this.ready.subscriber) {
      const outage = Date.now() - this.since.getTime();
      this.logger.log(
        this.everUp
          ? `Redis at ${this.address} reachable again after ${outage} ms: shared state resumes`
          : `Redis at ${this.address} connected: revocations, user changes and throttling are shared`,
      );
      this.up = true;
      this.everUp = true;
      this.since = new Date();
      this.lastError = undefined;
    }
  }

  /**
   * Calls `listener` whenever the subscriber is connected again after an outage, with the time it
   * was lost: messages published since then never reached this process.
   */
  onSubscriberReconnected(listener: (downSince: Date) => void): void {
    this.subscriberReadyListeners.push(listener);
  }

  /** Whether commands can be sent now (they are refused at once while disconnected). */
  canSend(): boolean {
    return this.ready.commands;
  }

  isUp(): boolean {
    return this.up;
  }

  details(): RedisStateDetails {
    return {
      status: this.up ? 'up' : 'down',
      since: this.since.toISOString(),
      commands: this.ready.commands ? 'up' : 'down',
      subscriber: this.ready.subscriber ? 'up' : 'down',
      ...(this.lastError !== undefined && !this.up ? { error: this.lastError } : {}),
      fallbacks: [...this.fallbacks.values()],
    };
  }

  /**
   * Records that `what` runs without Redis (said once in the log until it is back on Redis, and in
   * details().fallbacks), e.g. fellBack('throttling', 'per-instance memory', error).
   */
  fellBack(what: string, instead: string, error?: unknown): void {
    if (!this.fallbacks.has(what)) {
      this.fallbacks.set(what, `${what}: ${instead}`);
      const reason = error === undefined ? 'Redis is unreachable' : describeError(error);
      this.logger.warn(`${what} falls back to ${instead} (${reason})`);
    }
  }

  /** `what` works on Redis again. */
  backOnRedis(what: string): void {
    if (this.fallbacks.delete(what)) {
      this.logger.log(`${what} is shared through Redis again`);
    }
  }

  /** Runs a script by its SHA-1, sending its source only when the server does not have it. */
  async run(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.commands.evalSha(script.sha1, { keys, arguments: args });
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return this.commands.eval(script.source, { keys, arguments: args });
      }
      throw error;
    }
  }

  /** Closes both connections, sending what is queued; a Redis that does not answer is cut off after a second. */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [this.commands, this.subscriber].map(async (client) => {
        try {
          if (client.isReady) {
            await withTimeout(client.close(), COMMAND_TIMEOUT_MS, 'close');
          } else if (client.isOpen) {
            client.destroy();
          }
        } catch {
          client.destroy();
        }
      }),
    );
  }
}
