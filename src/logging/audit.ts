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
  | 'password.check_failed'
  | 'user.disabled'
  | 'user.renamed'
  | 'admin.user.created'
  | 'admin.user.updated'
  | 'admin.user.deleted'
  | 'admin.password.reset'
  | 'admin.sessions.ended';

const logger = new Logger('Audit');

/**
 * Writes an audit event as its own structured line, with `req.id` set to the id of the request
 * that caused it (as on that request's own line) when there is one; the CLI has none. Fields
 * are ids, names, reasons and counts: never a password, a token, a hash or a header.
 */
export function audit(
  event: AuditEvent,
  requestId: string | undefined,
  fields: Record<string, string | number | boolean | undefined> = {},
): void {
  logger.log(requestId === undefined ? { event, ...fields } : { req: { id: requestId }, event, ...fields });
}
