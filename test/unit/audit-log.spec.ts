import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { OPERATOR, type Actor } from '../../src/common/request-context/actor.js';
import { AuditLog, type AuditEntry } from '../../src/logging/audit.js';

/** An AuditLog whose sink and log lines are kept for the test. */
function capture() {
  const entries: AuditEntry[] = [];
  const lines: unknown[] = [];
  jest.spyOn(Logger.prototype, 'log').mockImplementation((line: unknown) => void lines.push(line));
  const inTransaction: [unknown, AuditEntry][] = [];
  const sink = {
    record: (entry: AuditEntry) => void entries.push(entry),
    recordIn: (transaction: unknown, entry: AuditEntry) => {
      inTransaction.push([transaction, entry]);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
  };
  return { log: new AuditLog(sink), entries, lines, inTransaction };
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

  it('should hand an event recorded in a transaction to the sink with that transaction, context filled alike', async () => {
    const { log, entries, lines, inTransaction } = capture();
    const transaction = { name: 'the change' };
    await log.recordIn(transaction as never, 'admin.user.updated', request, {
      actor: 4,
      userId: 9,
      disabled: true,
    });
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
    ]);
    expect(lines).toHaveLength(1);
  });

  it('should write no line when the row could not be inserted in the transaction', async () => {
    const lines: unknown[] = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((line: unknown) => void lines.push(line));
    const failing = {
      record: () => undefined,
      recordIn: () => Promise.reject(new Error('rolled back')),
      flush: () => Promise.resolve(),
    };
    await expect(
      new AuditLog(failing).recordIn({} as never, 'user.disabled', OPERATOR, {}),
    ).rejects.toThrow();
    expect(lines).toEqual([]);
  });
});
