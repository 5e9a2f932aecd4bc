import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, LessThan, type EntityManager, type Repository } from 'typeorm';
import type { Env } from '../config/env.schema.js';
import type { AuditEntry, AuditSink } from '../logging/audit.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { describeError } from '../logging/loggable-error.js';
import { SerialTransactions } from '../database/serial-transactions.js';

/** Events waiting to be written, at most; past that the newest are dropped (and counted). */
const QUEUE_MAX = 10_000;
/** A batch is written this long after its first event, or at once when this many wait. */
const FLUSH_DELAY_MS = 500;
const BATCH_MAX = 200;
const PRUNE_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A filter of GET /admin/audit; the page is newest first, before the `beforeId` cursor. */
export interface AuditQuery {
  event?: string;
  userId?: number;
  since?: Date;
  until?: Date;
  limit: number;
  beforeId?: number;
}

/** The fields an entry's columns take; the rest goes to details. */
const COLUMNS = new Set(['actor', 'userId', 'ip']);

/**
 * The stored audit trail. AuditLog hands every event here (AuditModule provides it as the AuditSink), and it is
 * written in batches off the request's path: a login does not wait on an INSERT. Pending events
 * are written before a query and at shutdown; older than AUDIT_RETENTION_DAYS, pruned hourly.
 */
@Injectable()
export class AuditStore implements AuditSink, OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditStore.name);
  private readonly retentionMs: number;
  private queue: AuditEventEntity[] = [];
  private timer?: NodeJS.Timeout;
  private pruner?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  /** Events are taken from start-up until the modules are destroyed; later ones are only logged. */
  private accepting = false;

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    config: ConfigService<Env, true>,
    private readonly transactions: SerialTransactions,
  ) {
    this.retentionMs = config.get('AUDIT_RETENTION_DAYS', { infer: true }) * DAY_MS;
  }

  onModuleInit(): void {
    this.accepting = true;
    this.pruner = setInterval(() => void this.prune().catch(() => undefined), PRUNE_INTERVAL_MS);
    this.pruner.unref();
    void this.prune().catch(() => undefined);
  }

  onModuleDestroy(): void {
    // Stop taking events; what is queued is still written (beforeApplicationShutdown).
    this.accepting = false;
    clearInterval(this.pruner);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush().catch((error: unknown) =>
      this.logger.warn({ msg: 'audit events not stored at shutdown', reason: describeError(error) }),
    );
  }

  record({ at, event, requestId, fields }: AuditEntry): void {
    if (!this.accepting) {
      return;
    }
    if (this.queue.length >= QUEUE_MAX) {
      this.dropped += 1;
      return;
    }
    this.queue.push(toRow(at, event, requestId, fields));
    if (this.queue.length >= BATCH_MAX) {
      void this.flush().catch(() => undefined);
    } else {
      this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_DELAY_MS);
    }
  }

  /** One transaction, serialised with the others where the database needs it (SQLite). */
  transaction<T>(work: (transaction: EntityManager) => Promise<T>): Promise<T> {
    return this.transactions.run(work);
  }

  /** Inserts one event at once through the caller's transaction: not queued, it commits with the change. */
  async recordIn(transaction: EntityManager, { at, event, requestId, fields }: AuditEntry): Promise<void> {
    await transaction.insert(AuditEventEntity, toRow(at, event, requestId, fields));
  }

  /** Writes every queued event (one batch at a time, in order); resolves once they are stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.writing.then(() => this.writeQueued());
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH_MAX);
      try {
        // A transaction of its own, in turn with the others: on SQLite's one connection a plain
        // INSERT made while a change's transaction is open would join it, and roll back with it.
        await this.transactions.run((transaction) => transaction.insert(AuditEventEntity, batch));
      } catch (error) {
        // The log line of each event is written already: the trail misses them, the log does not.
        this.logger.warn({ msg: `${batch.length} audit events not stored`, reason: describeError(error) });
        throw error;
      }
    }
    if (this.dropped > 0) {
      this.logger.warn({ msg: `${this.dropped} audit events dropped: the queue was full` });
      this.dropped = 0;
    }
  }

  /** A page of stored events, newest first, and whether older ones follow. */
  async page(query: AuditQuery): Promise<{ items: AuditEventEntity[]; more: boolean }> {
    await this.flush();
    const builder = this.events
      .createQueryBuilder('entry')
      .orderBy('entry.id', 'DESC')
      .take(query.limit + 1);
    const where = new Brackets((and) => {
      and.where('1 = 1');
      if (query.beforeId !== undefined) {
        and.andWhere('entry.id < :beforeId', { beforeId: query.beforeId });
      }
      if (query.event !== undefined) {
        and.andWhere('entry.event = :event', { event: query.event });
      }
      if (query.userId !== undefined) {
        and.andWhere('entry.userId = :userId', { userId: query.userId });
      }
      if (query.since !== undefined) {
        and.andWhere('entry.at >= :since', { since: query.since });
      }
      if (query.until !== undefined) {
        and.andWhere('entry.at < :until', { until: query.until });
      }
    });
    const rows = await builder.where(where).getMany();
    return { items: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  /** Deletes what is older than AUDIT_RETENTION_DAYS. */
  async prune(now = new Date()): Promise<number> {
    const result = await this.events.delete({ at: LessThan(new Date(now.getTime() - this.retentionMs)) });
    return result.affected ?? 0;
  }
}

function toRow(
  at: Date,
  event: string,
  requestId: string | undefined,
  fields: AuditEntry['fields'],
): AuditEventEntity {
  const details = Object.fromEntries(
    Object.entries(fields).filter(([key, value]) => !COLUMNS.has(key) && value !== undefined),
  );
  const userId = typeof fields.userId === 'number' ? fields.userId : null;
  // Named by the event (admin actions), or else: the CLI outside a request, the user themselves
  // on one (their login, refresh, logout, password change), nobody for an anonymous failure.
  const actor = fields.actor !== undefined ? String(fields.actor) : requestId === undefined ? 'cli' : userId;
  const row = new AuditEventEntity();
  Object.assign(row, {
    at,
    event,
    actor: actor === null ? null : String(actor).slice(0, 16),
    userId,
    ip: typeof fields.ip === 'string' ? fields.ip.slice(0, 64) : null,
    requestId: requestId?.slice(0, 64) ?? null,
    details: JSON.stringify(details),
  });
  return row;
}
