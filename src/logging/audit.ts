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
  | 'admin.user.invited'
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
  | 'passkey.counter_regressed'
  | 'email.set'
  | 'email.verified'
  | 'email.verification_sent'
  | 'email.change.requested'
  | 'email.changed'
  | 'password.reset_requested'
  | 'mail.throttled'
  | 'password.reset'
  | 'invite.accepted'
  | 'login.link_requested';

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
  /** Runs `work` in one transaction of the store's database, the one recordIn() is then given. */
  abstract transaction<T>(work: (transaction: EntityManager) => Promise<T>): Promise<T>;
  /** Stores the entry now, in the caller's transaction: it commits or rolls back with the change. */
  abstract recordIn(transaction: EntityManager, entry: AuditEntry): Promise<void>;
  /** Stores every queued entry; resolves once they are stored. */
  abstract flush(): Promise<void>;
}

/** An event and its fields, as a change describes what it did. */
export interface AuditRecord {
  event: AuditEvent;
  fields: AuditFields;
}

/**
 * Records an event (given by name and fields, or as an AuditRecord; undefined records nothing) in
 * the transaction AuditLog.change() runs: it is stored only if the change commits.
 */
export type RecordChange = (
  event: AuditEvent | AuditRecord | undefined,
  fields?: AuditFields,
) => Promise<void>;

/**
 * The event a change records, given what the change did (undefined: none). How a caller names its
 * own event (an admin's `admin.*`) for a change another feature makes and stores.
 */
export type ChangeEvent<Done> = (done: Done) => AuditRecord | undefined;

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
   * Stores the events queued so far; resolves once they are stored (a reader of the trail waits
   * for them).
   */
  async flush(): Promise<void> {
    await this.sink?.flush();
  }

  /**
   * Makes a change and stores its events in one database transaction: `work` writes through
   * `transaction` and calls `record` for each event, so the change and its rows commit together
   * or not at all. Their lines are written once it has committed: a change rolled back leaves
   * neither a row nor a line. The events queued before it are stored first, so the trail, read in
   * id order, never lists this change before what came earlier (an account created, then changed).
   * They are stored outside the transaction: on SQLite a write inside it would join it.
   */
  async change<T>(
    actor: AuditActor,
    work: (transaction: EntityManager, record: RecordChange) => Promise<T>,
  ): Promise<T> {
    const sink = this.sink;
    if (sink === undefined) {
      throw new Error('AuditLog.change() needs an AuditSink: import AuditModule');
    }
    await sink.flush();
    const stored: AuditEntry[] = [];
    const result = await sink.transaction((transaction) =>
      work(transaction, async (event, fields = {}) => {
        if (event === undefined) {
          return;
        }
        const entry =
          typeof event === 'string'
            ? this.entry(event, actor, fields)
            : this.entry(event.event, actor, event.fields);
        await sink.recordIn(transaction, entry);
        stored.push(entry);
      }),
    );
    stored.forEach((entry) => this.write(entry));
    return result;
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
