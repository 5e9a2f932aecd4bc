import { Injectable, Logger, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

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

export type AuditFields = Record<string, string | number | boolean | undefined>;

/** One audit event as handed to the sink: what the line says, and when. */
export interface AuditEntry {
  at: Date;
  event: AuditEvent;
  requestId?: string;
  fields: AuditFields;
}

/**
 * Where audit events are kept besides the log (src/audit/ stores them in the database), provided
 * under this class by whichever module keeps them. It must not block or throw: record() is called
 * on the request's path.
 */
export abstract class AuditSink {
  abstract record(entry: AuditEntry): void;
  /** Stores the entry now, in the caller's transaction: it commits or rolls back with the change. */
  abstract recordIn(transaction: EntityManager, entry: AuditEntry): Promise<void>;
  /** Stores every queued entry; resolves once they are stored. */
  abstract flush(): Promise<void>;
}

/**
 * Who caused an event, as audit reads it: the request-context `Actor` (common/) has these fields,
 * and the CLI's OPERATOR none. Spelled here because logging/ imports no folder but config/.
 */
export interface AuditActor {
  /** The request's id; absent at the CLI. */
  readonly requestId?: string;
  /** The client's address (request.ip, which honours TRUST_PROXY); absent at the CLI. */
  readonly ip?: string;
}

/**
 * The audit log, injected (AuditLogModule is global): every event is one structured line, with
 * `req.id` set to the id of the request that caused it (as on that request's own line) and `ip`
 * to its address, both taken from the actor so no caller fills them its own way; the CLI has
 * neither. The entry then goes to the AuditSink, if one is provided. Fields are ids, names,
 * reasons and counts: never a password, a token, a hash or a header.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');

  constructor(@Optional() private readonly sink?: AuditSink) {}

  /** Logs the event and queues it for the store, off the caller's path (never waits, never throws). */
  record(event: AuditEvent, actor: AuditActor, fields: AuditFields = {}): void {
    const entry = this.entry(event, actor, fields);
    this.write(entry);
    this.sink?.record(entry);
  }

  /**
   * Stores the events queued so far. Called before a transaction that will recordIn(): its row
   * takes the next id, and the trail, read in id order, must not list it before the events that
   * came earlier (an admin creating an account, then changing it at once). Outside the
   * transaction: on SQLite a write inside it would join it, and be lost if it rolled back.
   */
  async flush(): Promise<void> {
    await this.sink?.flush();
  }

  /**
   * Records an event inside the transaction that makes its change (a database write through
   * `transaction`), so the stored row and the change are committed together or not at all. The
   * line is written once the row is inserted (a commit that then fails leaves the line alone).
   */
  async recordIn(
    transaction: EntityManager,
    event: AuditEvent,
    actor: AuditActor,
    fields: AuditFields = {},
  ): Promise<void> {
    const entry = this.entry(event, actor, fields);
    await this.sink?.recordIn(transaction, entry);
    this.write(entry);
  }

  private entry(event: AuditEvent, actor: AuditActor, fields: AuditFields): AuditEntry {
    const full: AuditFields = actor.ip === undefined ? fields : { ...fields, ip: actor.ip };
    return { at: new Date(), event, requestId: actor.requestId, fields: full };
  }

  private write({ event, requestId, fields }: AuditEntry): void {
    this.logger.log(
      requestId === undefined ? { event, ...fields } : { req: { id: requestId }, event, ...fields },
    );
  }
}
