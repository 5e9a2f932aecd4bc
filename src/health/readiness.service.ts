import { Inject, Injectable, Logger, Optional, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { DataSource, MigrationExecutor } from 'typeorm';
import { REDIS_HEALTH, type RedisHealth } from '../common/health/redis-health.js';
import { Draining } from './draining.js';
import { migrationState } from './migration-state.js';

/** How long each check may take: a hung database answers 503 in about this long, not never. */
export const CHECK_TIMEOUT_MS = 1_000;
/**
 * Checks that hit the database are shared for this long by concurrent and following probes: a
 * public route that queries must not let a flood of requests become a flood of queries.
 */
export const CHECK_CACHE_MS = 1_000;

export interface Readiness {
  ready: boolean;
  body: HealthCheckResult;
}

/**
 * Whether this instance should receive traffic: the database answers and holds every migration
 * this release knows, and the process is not draining. Redis is reported, never required.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private wasReady: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly typeOrm: TypeOrmHealthIndicator,
    private readonly dataSource: DataSource,
    private readonly draining: Draining,
    @Optional() @Inject(REDIS_HEALTH) private readonly redis?: RedisHealth,
  ) {}

  async check(): Promise<Readiness> {
    const reason = this.draining.since;
    const result =
      reason === undefined ? await this.runChecks() : { ready: false, body: drainingBody(reason) };
    this.logChange(result);
    return result;
  }

  private async runChecks(): Promise<Readiness> {
    let ready = true;
    let body: HealthCheckResult;
    try {
      body = await this.health.check([
        // The ping is terminus' own; handed the connection, because in the bundle its lookup
        // through a second copy of @nestjs/typeorm would not find ours.
        () =>
          this.typeOrm
            .pingCheck('database', { connection: this.dataSource, timeout: CHECK_TIMEOUT_MS })
            .cacheFor(CHECK_CACHE_MS),
        () => this.migrations(),
        () => this.redisState(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) {
        throw error;
      }
      ready = false;
      body = error.getResponse() as HealthCheckResult;
    }
    if (this.redis === undefined) {
      const disabled = { redis: { status: 'disabled' } } as unknown as HealthIndicatorResult;
      body = { ...body, info: { ...body.info, ...disabled }, details: { ...body.details, ...disabled } };
    }
    return { ready, body };
  }

  /** Down while a migration of this release is missing; a newer release's are listed, not refused. */
  private migrations() {
    return this.indicators
      .check('migrations')
      .attempt(async () => {
        const known = this.dataSource.migrations.map(
          (migration) => migration.name ?? migration.constructor.name,
        );
        const applied = await new MigrationExecutor(this.dataSource).getExecutedMigrations();
        const state = migrationState(
          known,
          applied.map((migration) => migration.name),
        );
        if (state.pending.length > 0) {
          throw new Error(`pending: ${state.pending.join(', ')}`);
        }
        return state.newer.length > 0
          ? { applied: state.applied, newer: state.newer }
          : { applied: state.applied };
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }

  /** `degraded`, not `down`, when Redis is unwell: the instance still serves without it. */
  private async redisState(): Promise<HealthIndicatorResult> {
    const redis = this.redis;
    if (redis === undefined) {
      return {};
    }
    const session = this.indicators.check('redis');
    const result = await session
      .attempt(async ({ signal }) => {
        const state = await redis.check(signal);
        if (state.status !== 'up') {
          throw new Error(state.message);
        }
      })
      .withTimeout(CHECK_TIMEOUT_MS);
    const { status, ...data } = result.redis;
    return status === 'down' ? session.degraded(data) : result;
  }

  /** One line when readiness changes, not one per probe: a load balancer polls every second. */
  private logChange({ ready, body }: Readiness): void {
    if (ready === (this.wasReady ?? true)) {
      this.wasReady = ready;
      return;
    }
    this.wasReady = ready;
    if (ready) {
      this.logger.log('ready again');
    } else {
      this.logger.warn({ msg: 'not ready', status: body.status, error: body.error });
    }
  }
}

function drainingBody(reason: string): HealthCheckResult {
  const shutdown = {
    shutdown: { status: 'down', message: `draining after ${reason}: the listener closes soon` },
  } as HealthIndicatorResult;
  return { status: 'shutting_down', info: {}, error: shutdown, details: shutdown };
}
