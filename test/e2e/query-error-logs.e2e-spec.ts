import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeFailure } from '../../src/cli/cli-failure.js';
import { HttpErrorFilter } from '../../src/common/filters/http-error.filter.js';
import { describeError } from '../../src/logging/loggable-error.js';
import { Loggers, PinoLoggerService } from '../../src/logging/loggers.js';
import { usingPostgres } from '../support/postgres.js';

// A failed statement reaches the logs as its text and its code, never with its values: on the
// database of this run (SQLite, or PostgreSQL with TEST_DATABASE=postgres), through every way the
// service logs an error.
const SECRET = 'hunter2-secret-value';

describe(`Failed statements in the logs (${usingPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let dataSource: DataSource;
  let lines = '';
  const loggers = new Loggers(
    'debug',
    'json',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines += chunk.toString();
        done();
      },
    }),
  );

  beforeAll(async () => {
    dataSource = new DataSource(
      usingPostgres()
        ? { type: 'postgres', url: process.env.DATABASE_URL }
        : { type: 'better-sqlite3', database: join(process.env.DATA_DIR ?? '.', 'log-probe.sqlite') },
    );
    await dataSource.initialize();
    await dataSource.query(
      'CREATE TABLE log_probe (id integer PRIMARY KEY, name varchar(64) NOT NULL UNIQUE, n integer NOT NULL)',
    );
    await insert({ id: 1, name: SECRET, n: 1 });
    Logger.overrideLogger(new PinoLoggerService(loggers.app));
  });

  afterAll(async () => {
    Logger.overrideLogger(false);
    await dataSource.destroy();
  });

  beforeEach(() => {
    lines = '';
  });

  function insert(values: { id: number; name: string; n: number | string }) {
    return dataSource.createQueryBuilder().insert().into('log_probe').values(values).execute();
  }

  async function failure(call: () => Promise<unknown>): Promise<Error> {
    const error = await call().then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.name).toBe('QueryFailedError');
    // What the fix must keep out: the driver hands the values over.
    expect(JSON.stringify({ ...error })).toContain(SECRET);
    return error as Error;
  }

  /** Logs `error` every way the service does: the exception filter, Nest's Logger, a message line. */
  function logEveryWay(error: Error): void {
    const reply = { status: () => reply, header: () => reply, send: () => reply };
    const host = {
      switchToHttp: () => ({
        getResponse: () => reply,
        getRequest: () => ({ id: 'request-1', raw: { socket: { destroyed: false } } }),
      }),
    } as unknown as ArgumentsHost;
    new HttpErrorFilter().catch(error, host);
    const logger = new Logger('Probe');
    logger.error(error);
    logger.error('a statement failed', error);
    // As TypeORM's module logs a failed connection or migration: the stack as a string.
    logger.error('Unable to connect to the database. Retrying (1)...', error.stack, 'TypeOrmModule');
    logger.warn({ msg: 'audit events not stored', reason: describeError(error) });
    logger.error(`revocation sync failed: ${describeError(error)}`);
    logger.error({ msg: 'shutdown failed', err: error, cause: new Error('wrapped', { cause: error }) });
    loggers.app.error({ err: new Error('wrapper', { cause: error }) });
  }

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['a unique violation', () => insert({ id: 2, name: SECRET, n: 2 })],
    [
      'a statement naming a missing column',
      () =>
        dataSource.query(
          usingPostgres()
            ? 'SELECT id FROM log_probe WHERE name = $1 AND missing = $2'
            : 'SELECT id FROM log_probe WHERE name = ? AND missing = ?',
          [SECRET, SECRET],
        ),
    ],
  ];
  if (usingPostgres()) {
    // PostgreSQL quotes the value in the message itself: invalid input syntax for type integer: "…".
    cases.push(['a value of the wrong type', () => insert({ id: 3, name: 'x', n: SECRET })]);
  }

  it.each(cases)('should log %s with its statement and code, without its values', async (_case, call) => {
    const error = await failure(call);
    logEveryWay(error);
    expect(lines.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(8);
    expect(lines).not.toContain(SECRET);
    expect(lines).not.toMatch(/hunter2/);
    expect(lines).toContain('log_probe');
    expect(lines).toMatch(/"code":"(\d{5}|[0-9A-Z]{5}|SQLITE_\w+)"/);
  });

  it('should keep the values out of a CLI failure line too', async () => {
    const error = await failure(() => insert({ id: 2, name: SECRET, n: 2 }));
    expect(describeFailure(error).message).not.toContain(SECRET);
  });
});
