import { beforeEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { REDIS_HEALTH, type RedisHealth } from '../../src/common/health/redis-health.js';
import { Draining } from '../../src/health/draining.js';
import { CHECK_TIMEOUT_MS, ReadinessService } from '../../src/health/readiness.service.js';

const never = () => new Promise<never>(() => undefined);

/** Just what terminus' ping and TypeORM's MigrationExecutor touch; `hang` makes every call hang. */
function fakeDataSource({ hang = false } = {}) {
  const calls: string[] = [];
  const dataSource = {
    options: { type: 'better-sqlite3' },
    migrations: [],
    driver: { options: {}, database: 'x', buildTableName: (name: string) => name },
    query: (sql: string) => {
      calls.push(sql);
      return hang ? never() : Promise.resolve([{ 1: 1 }]);
    },
    createQueryRunner: () => ({
      hasTable: () => {
        calls.push('hasTable');
        return hang ? never() : Promise.resolve(false);
      },
      release: () => Promise.resolve(),
    }),
  };
  return { dataSource, calls };
}

async function readiness(dataSource: object, redis?: RedisHealth) {
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    providers: [
      ReadinessService,
      Draining,
      { provide: DataSource, useValue: dataSource },
      ...(redis === undefined ? [] : [{ provide: REDIS_HEALTH, useValue: redis }]),
    ],
  }).compile();
  return { service: moduleRef.get(ReadinessService), draining: moduleRef.get(Draining) };
}

describe(ReadinessService.name, () => {
  let fake: ReturnType<typeof fakeDataSource>;

  beforeEach(() => {
    fake = fakeDataSource();
  });

  it('should be ready with the database up and migrated, and Redis disabled when no module provides it', async () => {
    const { service } = await readiness(fake.dataSource);
    const { ready, body } = await service.check();
    expect(ready).toBe(true);
    expect(body.status).toBe('ok');
    expect(body.details).toEqual({
      database: expect.objectContaining({ status: 'up' }),
      migrations: expect.objectContaining({ status: 'up', applied: 0 }),
      redis: { status: 'disabled' },
    });
  });

  it('should answer not ready within about the timeout when the database hangs', async () => {
    const { service } = await readiness(fakeDataSource({ hang: true }).dataSource);
    const started = performance.now();
    const { ready, body } = await service.check();
    const took = performance.now() - started;
    expect(ready).toBe(false);
    expect(body.status).toBe('error');
    expect(body.error).toEqual({
      database: expect.objectContaining({
        status: 'down',
        message: `timeout of ${CHECK_TIMEOUT_MS}ms exceeded`,
      }),
      migrations: expect.objectContaining({
        status: 'down',
        message: `timeout of ${CHECK_TIMEOUT_MS}ms exceeded`,
      }),
    });
    expect(took).toBeGreaterThanOrEqual(CHECK_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(CHECK_TIMEOUT_MS + 500);
  });

  it('should answer not ready while draining, at once and without asking the database', async () => {
    const { service, draining } = await readiness(fake.dataSource);
    draining.begin('SIGTERM');
    const { ready, body } = await service.check();
    expect(ready).toBe(false);
    expect(body).toEqual({
      status: 'shutting_down',
      info: {},
      error: { shutdown: { status: 'down', message: expect.stringContaining('SIGTERM') } },
      details: { shutdown: { status: 'down', message: expect.stringContaining('SIGTERM') } },
    });
    expect(fake.calls).toEqual([]);
  });

  it('should report Redis up when it answers', async () => {
    const { service } = await readiness(fake.dataSource, { check: () => Promise.resolve({ status: 'up' }) });
    const { ready, body } = await service.check();
    expect(ready).toBe(true);
    expect(body.status).toBe('ok');
    expect(body.details.redis).toEqual(expect.objectContaining({ status: 'up' }));
  });

  it.each([
    [
      'reports itself down',
      () => Promise.resolve({ status: 'down' as const, message: 'connection lost' }),
      'connection lost',
    ],
    ['fails', () => Promise.reject(new Error('ECONNREFUSED')), 'ECONNREFUSED'],
    ['hangs', never, `timeout of ${CHECK_TIMEOUT_MS}ms exceeded`],
  ])('should stay ready, degraded, when Redis %s: its users fail open', async (_how, check, message) => {
    const { service } = await readiness(fake.dataSource, { check });
    const { ready, body } = await service.check();
    expect(ready).toBe(true);
    expect(body.status).toBe('degraded');
    expect(body.details.redis).toEqual(expect.objectContaining({ status: 'degraded', message }));
    expect(body.error).toEqual({});
  });
});
