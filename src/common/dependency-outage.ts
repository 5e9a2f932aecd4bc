/**
 * Whether an error means a dependency (the database) cannot be reached or did not
 * answer in time, as opposed to a bug: it is then a 503 with Retry-After (http-error.filter.ts),
 * not a 500. Read from the error's code and its wrapped causes (TypeORM's QueryFailedError keeps
 * the driver's error in `driverError`), never from a driver's classes, so common/ stays below
 * database/.
 */
export function isDependencyOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || OUTAGE_SQLSTATE.test(code))) {
      return true;
    }
    if (typeof message === 'string' && OUTAGE_MESSAGES.some((pattern) => pattern.test(message))) {
      return true;
    }
    current =
      (current as { driverError?: unknown }).driverError ??
      (current as { cause?: unknown }).cause ??
      undefined;
  }
  return false;
}

/** The socket-level failures of reaching a server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), 53300 (too many
 * connections), 57P01-57P03 (shut down, crashed, not accepting connections yet), 57014 (a
 * statement cancelled by statement_timeout, i.e. DATABASE_TIMEOUT).
 */
const OUTAGE_SQLSTATE = /^(08\d{3}|53300|57P0[123]|57014)$/;

/** What pg says, without a code, when a connection dies or a wait runs out. */
const OUTAGE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout$/,
  /^Client has encountered a connection error/,
  /^Connection ended unexpectedly/,
];
