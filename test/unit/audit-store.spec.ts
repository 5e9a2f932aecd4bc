import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { EntityManager, Repository } from 'typeorm';
import type { AuditEventEntity } from '../../src/audit/audit-event.entity.js';
import { AuditStore } from '../../src/audit/audit-store.js';
import { OPERATOR } from '../../src/common/request-context/actor.js';
import type { SerialTransactions } from '../../src/database/serial-transactions.js';
import { AuditLog } from '../../src/logging/audit.js';

describe(AuditStore.name, () => {
  let store: AuditStore;
  let auditLog: AuditLog;
  let inserted: AuditEventEntity[][];
  let insert: jest.Mock<(rows: AuditEventEntity[]) => Promise<void>>;

  beforeEach(() => {
    inserted = [];
    insert = jest.fn<(rows: AuditEventEntity[]) => Promise<void>>().mockImplementation((rows) => {
      inserted.push(rows);
      return Promise.resolve();
    });
    const repository = {
      delete: jest.fn<() => Promise<{ affected: number }>>().mockResolvedValue({ affected: 0 }),
    } as unknown as Repository<AuditEventEntity>;
    // Each batch is a transaction of its own (SerialTransactions), inserted through it.
    const transactions = {
      run: <T>(work: (manager: EntityManager) => Promise<T>) =>
        work({ insert: (_entity: unknown, rows: AuditEventEntity[]) => insert(rows) } as never),
    } as unknown as SerialTransactions;
    store = new AuditStore(repository, { get: () => 90 } as never, transactions);
    store.onModuleInit();
    auditLog = new AuditLog(store);
  });

  afterEach(() => store.onModuleDestroy());

  it("should not write on the caller's path: record() returns before any insert", () => {
    auditLog.record(
      'login.succeeded',
      { requestId: 'request-1', ip: '203.0.113.9' },
      { userId: 7, sessionId: 's' },
    );
    expect(insert).not.toHaveBeenCalled();
  });

  it('should write queued events on flush, columns split from details', async () => {
    auditLog.record(
      'login.succeeded',
      { requestId: 'request-1', ip: '203.0.113.9' },
      { userId: 7, sessionId: 's' },
    );
    auditLog.record(
      'admin.user.created',
      { requestId: 'request-2', ip: '203.0.113.9' },
      { actor: 1, userId: 8, roles: 'user' },
    );
    auditLog.record('user.disabled', OPERATOR, { userId: 8, sessions: 0 });
    auditLog.record(
      'login.failed',
      { requestId: 'request-3', ip: '203.0.113.9' },
      { reason: 'invalid_credentials', name: 'x' },
    );
    await store.flush();
    expect(inserted).toHaveLength(1);
    expect(
      inserted[0].map(({ event, actor, userId, ip, requestId, details }) => ({
        event,
        actor,
        userId,
        ip,
        requestId,
        details: JSON.parse(details) as unknown,
      })),
    ).toEqual([
      {
        event: 'login.succeeded',
        actor: '7',
        userId: 7,
        ip: '203.0.113.9',
        requestId: 'request-1',
        details: { sessionId: 's' },
      },
      {
        event: 'admin.user.created',
        actor: '1',
        userId: 8,
        ip: '203.0.113.9',
        requestId: 'request-2',
        details: { roles: 'user' },
      },
      {
        event: 'user.disabled',
        actor: 'cli',
        userId: 8,
        ip: null,
        requestId: null,
        details: { sessions: 0 },
      },
      {
        event: 'login.failed',
        actor: null,
        userId: null,
        ip: '203.0.113.9',
        requestId: 'request-3',
        details: { reason: 'invalid_credentials', name: 'x' },
      },
    ]);
  });

  it('should write in batches of at most 200, and bound the queue at 10,000', async () => {
    for (let i = 0; i < 10_050; i += 1) {
      auditLog.record('token.refreshed', OPERATOR, { userId: i });
    }
    await store.flush();
    const rows = inserted.flat();
    expect(rows).toHaveLength(10_000);
    expect(Math.max(...inserted.map((batch) => batch.length))).toBeLessThanOrEqual(200);
  });

  it('should stop taking events once destroyed, and still write what it has at shutdown', async () => {
    auditLog.record('token.refreshed', OPERATOR, { userId: 1 });
    store.onModuleDestroy();
    auditLog.record('token.refreshed', OPERATOR, { userId: 2 });
    await store.beforeApplicationShutdown();
    expect(inserted.flat().map((row) => row.userId)).toEqual([1]);
  });

  it('should insert an event recorded in a transaction through that transaction at once, not the queue', async () => {
    const rows: unknown[] = [];
    const transaction = {
      insert: (_entity: unknown, row: unknown) => {
        rows.push(row);
        return Promise.resolve();
      },
    };
    await store.recordIn(transaction as never, {
      at: new Date(),
      event: 'admin.user.updated',
      requestId: 'r',
      fields: { actor: 1, userId: 8, disabled: true, ip: '203.0.113.9' },
    });
    expect(rows).toEqual([
      expect.objectContaining({
        event: 'admin.user.updated',
        actor: '1',
        userId: 8,
        ip: '203.0.113.9',
        requestId: 'r',
      }),
    ]);
    await store.flush();
    expect(insert).not.toHaveBeenCalled();
  });
});
