import { jest } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { AuditLog, type AuditEvent, type AuditFields } from '../../src/logging/audit.js';

type Method = (...args: never[]) => unknown;

/** Each public method of T as a jest mock of its own signature; properties are left out. */
export type MockOf<T> = {
  [K in keyof T as T[K] extends Method ? K : never]: T[K] extends Method ? jest.Mock<T[K]> : never;
};

/**
 * A fake of `type` whose every method (its own and inherited, but Object's) is a fresh jest.fn()
 * typed from the class: a spec states the type once, as the class, and sets only the answers it
 * needs (`users.findActive.mockResolvedValue(...)`). An unset method returns undefined.
 */
export function mockOf<T>(type: abstract new (...args: never[]) => T): MockOf<T> {
  const mock: Record<string, jest.Mock> = {};
  for (let proto: object | null = type.prototype as object; proto !== null && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (name !== 'constructor' && typeof value === 'function' && !(name in mock)) {
        mock[name] = jest.fn();
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return mock as unknown as MockOf<T>;
}

/** A stand-in for the transaction AuditLog.change() hands to a change (its writes go to mocks). */
export const TRANSACTION = { transaction: 'stand-in' } as unknown as EntityManager;

/** One event as an AuditLogStub kept it. */
export interface Recorded {
  event: AuditEvent;
  fields: AuditFields;
}

/**
 * An AuditLog for unit tests: record() and change() are mocks that keep each event in
 * `recorded`, in order; change() runs its work at once with TRANSACTION, and keeps its events
 * only if the work succeeds (as the database keeps them only if it commits).
 */
export function auditLogStub(): { log: MockOf<AuditLog>; recorded: Recorded[] } {
  const recorded: Recorded[] = [];
  const log = mockOf(AuditLog);
  log.record.mockImplementation((event, _actor, fields = {}) => void recorded.push({ event, fields }));
  log.flush.mockResolvedValue();
  log.change.mockImplementation(async (_actor, work) => {
    const stored: Recorded[] = [];
    const result = await work(TRANSACTION, (event, fields = {}) => {
      if (event !== undefined) {
        stored.push(typeof event === 'string' ? { event, fields } : event);
      }
      return Promise.resolve();
    });
    recorded.push(...stored);
    return result;
  });
  return { log, recorded };
}
