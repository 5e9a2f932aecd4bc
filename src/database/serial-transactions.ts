import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs TypeORM transactions one after the other on SQLite (on PostgreSQL, as they come). better-sqlite3 is one connection, and TypeORM's
 * transaction() is BEGIN, awaited statements, COMMIT on it: two started together would interleave.
 * Each holds the queue only for its own synchronous statements, so the wait is short.
 */
@Injectable()
export class SerialTransactions {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type === 'postgres') {
      // A pool: each transaction has a connection of its own, and PostgreSQL isolates them.
      return this.dataSource.transaction(work);
    }
    const result = this.tail.then(() => this.dataSource.transaction(work));
    // The next transaction waits for this one to end, whether it committed or rolled back.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
