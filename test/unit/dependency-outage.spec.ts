import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { isDependencyOutage } from '../../src/common/dependency-outage.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDependencyOutage', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a connection reset', withCode('ECONNRESET')],
    ['a DNS failure', withCode('ENOTFOUND')],
    [
      'PostgreSQL shutting down (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a statement_timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ['too many connections (53300)', withCode('53300')],
    ['a connection exception (08006)', withCode('08006')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a query timeout', new Error('Query read timeout')],
    ['a driver error inside QueryFailedError', new QueryFailedError('SELECT 1', [], withCode('57P03'))],
    ['a cause chain', new Error('outer', { cause: withCode('ECONNREFUSED') })],
  ])('should take %s for an outage', (_case, error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation (23505)', new QueryFailedError('INSERT', [], withCode('23505'))],
    ['a NUL in text (22021)', new QueryFailedError('SELECT', [], withCode('22021'))],
    ['a value too long (22001)', new QueryFailedError('INSERT', [], withCode('22001'))],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('should not take %s for an outage', (_case, error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });
});
