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
  | 'admin.sessions.ended'
  | 'mfa.totp.setup_started'
  | 'mfa.totp.enabled'
  | 'mfa.totp.disabled'
  | 'mfa.totp.reset'
  | 'mfa.failed'
  | 'passkey.registration_started'
  | 'mfa.locked'
  | 'passkey.added'
  | 'passkey.first_used'
  | 'passkey.removed'
  | 'passkey.failed'
  | 'passkey.counter_regressed';

const logger = new Logger('Audit');

export type AuditFields = Record<string, string | number | boolean | undefined>;

/** One audit event as handed to the sink: what the line says, and when. */
export interface AuditEntry {
  at: Date;
  event: AuditEvent;
  requestId?: string;
  fields: AuditFields;
}

/**
 * Where audit events are kept besides the log (src/audit/ stores them in the database). It must
 * not block or throw: audit() is called on the request's path.
 */
export interface AuditSink {
  record(entry: AuditEntry): void;
}

let sink: AuditSink | undefined;

/** Makes `next` the process's audit sink; returns how to remove it again (if still the one). */
export function registerAuditSink(next: AuditSink): () => void {
  sink = next;
  return () => {
    if (sink === next) {
      sink = undefined;
    }
  };
}

/**
 * Writes an audit event as its own structured line (and hands it to the registered sink), with `req.id` set to the id of the request
 * that caused it (as on that request's own line) when there is one; the CLI has none. Fields
 * are ids, names, reasons and counts: never a password, a token, a hash or a header.
 */
export function audit(event: AuditEvent, requestId: string | undefined, fields: AuditFields = {}): void {
  logger.log(requestId === undefined ? { event, ...fields } : { req: { id: requestId }, event, ...fields });
  sink?.record({ at: new Date(), event, requestId, fields });
}
