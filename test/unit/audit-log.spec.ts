import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { OPERATOR, type Actor } from '../../src/common/request-context/actor.js';
import type { EntityManager } from 'typeorm';
import { AuditLog, type AuditEntry, type AuditSink } from '../../src/logging/audit.js';

/** An AuditLog whose sink and log lines are kept for the test; `steps` says what happened in which order. */
function capture({ failInsert = false } = {}) {
  const entries: AuditEntry[] = [];
  const lines: unknown[] = [];
  const steps: string[] = [];
  jest.spyOn(Logger.prototype, 'log').mockImplementation((line: unknown) => void lines.push(line));
  const inTransaction: [unknown, AuditEntry][] = [];
  const transaction = { name: 'the change' };
  const sink: AuditSink = {
    record: (entry: AuditEntry) => void entries.push(entry),
    transaction: async <T>(work: (manager: EntityManager) => Promise<T>) => {
      steps.push('begin');
      try {
        const result = await work(transaction as never);
        steps.push('commit');
        return result;
      } catch (error) {
        steps.push('rollback');
        throw error;
      }
    },
    recordIn: (manager: unknown, entry: AuditEntry) => {
      if (failInsert) {
        return Promise.reject(new Error('no such table'));
      }
      inTransaction.push([manager, entry]);
      return Promise.resolve();
    },
    flush: () => {
      steps.push('flush');
      return Promise.resolve();
    },
  };
  return { log: new AuditLog(sink), entries, lines, inTransaction, steps, transaction };
}

describe(AuditLog.name, () => {
  const request: Actor = {
    requestId: 'req-1',
    ip: '203.0.113.9',
    userId: 4,
    sessionId: 's',
    userAgent: 'UA',
  };

  it("should fill the request's id and address from the actor, on the line and the entry", () => {
    const { log, entries, lines } = capture();
    log.record('token.refreshed', request, { userId: 4 });
    expect(lines).toEqual([{ req: { id: 'req-1' }, event: 'token.refreshed', userId: 4, ip: '203.0.113.9' }]);
    expect(entries).toEqual([
      {
        at: expect.any(Date),
        event: 'token.refreshed',
        requestId: 'req-1',
        fields: { userId: 4, ip: '203.0.113.9' },
      },
    ]);
  });

  it('should fill the context the same way for every event, never a session or user agent', () => {
    const { log, entries } = capture();
    log.record('login.failed', request, { reason: 'invalid_credentials' });
    log.record('passkey.added', request);
    expect(entries.map((entry) => [entry.requestId, entry.fields.ip])).toEqual([
      ['req-1', '203.0.113.9'],
      ['req-1', '203.0.113.9'],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/UA|"s"/);
  });

  it('should write no request id nor address for the CLI operator', () => {
    const { log, entries, lines } = capture();
    log.record('user.disabled', OPERATOR, { userId: 8, sessions: 0 });
    expect(lines).toEqual([{ event: 'user.disabled', userId: 8, sessions: 0 }]);
    expect(entries[0]).toMatchObject({ requestId: undefined, fields: { userId: 8, sessions: 0 } });
  });

  it('should only log when no sink is provided (a unit test, a module without AuditModule)', () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    expect(() => new AuditLog().record('login.succeeded', request, { userId: 4 })).not.toThrow();
  });

  it('should store a change and its events in one transaction, after the events queued before it', async () => {
    const { log, entries, lines, inTransaction, steps, transaction } = capture();
    const result = await log.change(request, async (manager, record) => {
      steps.push(`write through ${(manager as unknown as { name: string }).name}`);
      await record('admin.user.updated', { actor: 4, userId: 9, disabled: true });
      await record({ event: 'user.renamed', fields: { userId: 9 } });
      await record(undefined);
      return 'done';
    });
    expect(result).toBe('done');
    expect(steps).toEqual(['flush', 'begin', 'write through the change', 'commit']);
    expect(entries).toEqual([]);
    expect(inTransaction).toEqual([
      [
        transaction,
        {
          at: expect.any(Date),
          event: 'admin.user.updated',
          requestId: 'req-1',
          fields: { actor: 4, userId: 9, disabled: true, ip: '203.0.113.9' },
        },
      ],
      [
        transaction,
        expect.objectContaining({ event: 'user.renamed', fields: { userId: 9, ip: '203.0.113.9' } }),
      ],
    ]);
    expect(lines).toEqual([
      {
        req: { id: 'req-1' },
        event: 'admin.user.updated',
        actor: 4,
        userId: 9,
        disabled: true,
        ip: '203.0.113.9',
      },
      { req: { id: 'req-1' }, event: 'user.renamed', userId: 9, ip: '203.0.113.9' },
    ]);
  });

  it('should write no line for a change that rolls back after recording its event', async () => {
    const { log, lines, steps } = capture();
    await expect(
      log.change(OPERATOR, async (_manager, record) => {
        await record('user.disabled', { userId: 8 });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(steps).toEqual(['flush', 'begin', 'rollback']);
    expect(lines).toEqual([]);
  });

  it('should roll the change back, and write no line, when its event cannot be stored', async () => {
    const { log, lines, steps } = capture({ failInsert: true });
    await expect(
      log.change(OPERATOR, (_manager, record) => record('user.disabled', { userId: 8 })),
    ).rejects.toThrow('no such table');
    expect(steps).toEqual(['flush', 'begin', 'rollback']);
    expect(lines).toEqual([]);
  });

  it('should refuse a change without a sink: it could not commit with its event', async () => {
    await expect(new AuditLog().change(OPERATOR, () => Promise.resolve())).rejects.toThrow(/AuditSink/);
  });
});
