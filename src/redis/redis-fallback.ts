import { COMMAND_TIMEOUT_MS, withTimeout, type RedisConnection } from './redis-connection.js';

/**
 * Runs an operation on Redis, or on a per-instance stand-in while Redis is unreachable, fails or
 * does not answer within COMMAND_TIMEOUT_MS (fail open: availability over sharing). The switch is
 * logged once each way by RedisConnection.
 */
export class RedisFallback {
  constructor(
    private readonly connection: RedisConnection,
    /** What falls back, for the log and the readiness details, e.g. 'throttling'. */
    private readonly what: string,
    /** What it falls back to, e.g. 'per-instance memory'. */
    private readonly instead: string,
  ) {}

  async run<T>(onRedis: () => Promise<T>, standIn: () => Promise<T>): Promise<T> {
    if (!this.connection.canSend()) {
      this.connection.fellBack(this.what, this.instead);
      return standIn();
    }
    let result: T;
    try {
      result = await withTimeout(onRedis(), COMMAND_TIMEOUT_MS, this.what);
    } catch (error) {
      this.connection.fellBack(this.what, this.instead, error);
      return standIn();
    }
    this.connection.backOnRedis(this.what);
    return result;
  }
}
