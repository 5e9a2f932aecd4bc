import { describe, expect, it } from '@jest/globals';
import {
  describeError,
  loggableError,
  loggableFields,
  loggableStack,
} from '../../src/logging/loggable-error.js';

/** What TypeORM's QueryFailedError looks like once it has copied pg's DatabaseError onto itself. */
function queryFailed(): Error {
  const error = Object.assign(new Error('invalid input syntax for type integer: "alice"'), {
    query: 'INSERT INTO "users"("name") VALUES ($1)',
    parameters: ['alice'],
    driverError: { detail: 'Key (name)=(alice) already exists.' },
    detail: 'Key (name)=(alice) already exists.',
    where: "unnamed portal parameter $1 = 'alice'",
    code: '22P02',
    table: 'users',
  });
  error.name = 'QueryFailedError';
  return error;
}

describe('loggableError', () => {
  it('should keep the statement, the code and the names, and drop every value', () => {
    const loggable = loggableError(queryFailed()) as Error & Record<string, unknown>;
    expect(loggable).toMatchObject({
      name: 'QueryFailedError',
      message: 'invalid input syntax for type integer: "…"',
      query: 'INSERT INTO "users"("name") VALUES ($1)',
      code: '22P02',
      table: 'users',
    });
    expect(JSON.stringify({ ...loggable, stack: loggable.stack })).not.toContain('alice');
  });

  it('should make a cause loggable and leave other errors and values as they are', () => {
    const plain = new Error('plain');
    expect(loggableError(plain)).toBe(plain);
    expect(loggableError('text')).toBe('text');
    const wrapped = loggableError(new Error('wrapper', { cause: queryFailed() })) as Error;
    expect(wrapped.message).toBe('wrapper');
    expect(JSON.stringify((wrapped.cause as Error).message)).not.toContain('alice');
  });

  it('should describe an error in one line without its values', () => {
    expect(describeError(queryFailed())).toBe('QueryFailedError: invalid input syntax for type integer: "…"');
    expect(describeError(new Error('boom'))).toBe('Error: boom');
  });

  it('should make every field of a line loggable, arrays included', () => {
    const fields = loggableFields({ msg: 'x', err: queryFailed(), params: [queryFailed(), 1] });
    expect(JSON.stringify(fields)).not.toContain('alice');
    const clean = { msg: 'x', n: 1 };
    expect(loggableFields(clean)).toBe(clean);
  });
});

describe('loggableStack', () => {
  it("should drop the quoted values of a database error's first line and keep the frames", () => {
    const stack =
      'QueryFailedError: invalid input syntax for type integer: "alice"\n    at Query.run (x.js:1:1)';
    expect(loggableStack(stack)).toBe(
      'QueryFailedError: invalid input syntax for type integer: "…"\n    at Query.run (x.js:1:1)',
    );
    const other = 'Error: listen EADDRINUSE "x"\n    at y';
    expect(loggableStack(other)).toBe(other);
  });
});
