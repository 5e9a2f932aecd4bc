/**
 * Fields of a database error that describe the failure without the data: the SQLSTATE or
 * SQLite code and the names of what was violated. Everything else is left out: TypeORM's
 * QueryFailedError copies the driver error's fields onto itself and adds the statement's
 * `parameters` (a name, a password hash, a token hash), and PostgreSQL's `detail` and `where`
 * quote the values themselves ("Key (name)=(alice) already exists.").
 */
const SAFE_FIELDS = [
  'code',
  'errno',
  'severity',
  'schema',
  'table',
  'column',
  'constraint',
  'dataType',
  'routine',
];

/** A database error: one a driver threw (pg's DatabaseError, better-sqlite3's SqliteError) or TypeORM wrapped. */
function isDatabaseError(error: Error): boolean {
  const fields = error as Error & Record<string, unknown>;
  return (
    typeof fields.query === 'string' ||
    'parameters' in fields ||
    'driverError' in fields ||
    error.name === 'SqliteError' ||
    (error.name === 'error' && typeof fields.severity === 'string')
  );
}

/**
 * The message without anything quoted in it: PostgreSQL quotes values as it quotes names
 * (`invalid input syntax for type integer: "alice"`), so both go; the names are in `table`,
 * `column` and `constraint`.
 */
export const withoutQuotedValues = (message: string): string =>
  message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");

/**
 * What of an error may be logged. A database error becomes a new Error with its statement
 * (`query`, placeholders only), its code and the names of what failed, and a message and stack
 * with quoted values removed: never the statement's parameters or a value the database quotes
 * back. Any other value is returned as it is; a cause is made loggable the same way.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof Error)) {
    return error;
  }
  if (!isDatabaseError(error)) {
    if (error.cause === undefined) {
      return error;
    }
    const cause = loggableError(error.cause);
    if (cause === error.cause) {
      return error;
    }
    const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
    Object.defineProperties(copy, {
      message: { value: error.message },
      stack: { value: error.stack },
      cause: { value: cause, enumerable: false },
    });
    return copy;
  }
  const fields = error as Error & Record<string, unknown>;
  const name = error.constructor.name === 'Error' ? error.name : error.constructor.name;
  const safe = new Error(withoutQuotedValues(error.message));
  safe.name = name;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  safe.stack = [`${name}: ${safe.message}`, ...frames].join('\n');
  const summary = safe as Error & Record<string, unknown>;
  if (typeof fields.query === 'string') {
    summary.query = fields.query;
  }
  for (const field of SAFE_FIELDS) {
    if (typeof fields[field] === 'string' || typeof fields[field] === 'number') {
      summary[field] = fields[field];
    }
  }
  return safe;
}

/**
 * A stack passed as a string (Nest's `logger.error(message, error.stack)`, as TypeORM's module
 * does when a connection or a migration fails): a database error's first line loses its quoted values.
 */
export function loggableStack(stack: string): string {
  const [first, ...frames] = stack.split('\n');
  return /^(QueryFailedError|SqliteError|error|DatabaseError)\b/.test(first)
    ? [withoutQuotedValues(first), ...frames].join('\n')
    : stack;
}

/** An error in one line for a log message (`${describeError(error)}`, never `${String(error)}`). */
export function describeError(error: unknown): string {
  const loggable = loggableError(error);
  return loggable instanceof Error ? `${loggable.name}: ${loggable.message}` : String(loggable);
}

/**
 * For pino's `formatters.log`: every field of a line that holds an error, or an array holding
 * errors (Nest's extra parameters), is made loggable, whatever its name.
 */
export function loggableFields(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    const loggable = Array.isArray(value) ? value.map(loggableError) : loggableError(value);
    if (
      Array.isArray(value) ? (loggable as unknown[]).some((item, i) => item !== value[i]) : loggable !== value
    ) {
      copy ??= { ...fields };
      copy[key] = loggable;
    }
  }
  return copy ?? fields;
}
