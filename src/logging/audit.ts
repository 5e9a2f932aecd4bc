import { Logger } from '@nestjs/common';

/** The security events operators alert on, one log line each, `event` naming which. */
export type AuditEvent =
  | 'login.succeeded'
  | 'login.failed'
  | 'login.throttled'
  | 'token.refreshed'
  | 'token.replayed'
  | 'session.ended'
  | 'password.changed'
  | 'user.disabled';

const logger = new Logger('Audit');

/**
 * Writes an audit event as its own structured line. Inside a request it carries that
 * request's id (nestjs-pino binds it). Fields are ids, names, reasons and counts: never a
 * password, a token, a hash or a header.
 */
export function audit(
  event: AuditEvent,
  fields: Record<string, string | number | boolean | undefined> = {},
): void {
  logger.log({ event, ...fields });
}
