import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs TypeORM transactions one after the other. better-sqlite3 is one connection, and TypeORM's
 * transaction() is BEGIN, awaited statements, COMMIT on it: two started together interleave
 * ("cannot start a transaction within a transaction", then "Transaction is not started yet"),
 * which answered concurrent logins and refreshes with 500. Each transaction holds the queue only
 * for its own statements, all synchronous underneath, so the wait is microseconds.
 */
@Injectable()
export class SerialTransactions {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.dataSource.transaction(work));
    // The next transaction waits for this one to end, whether it committed or rolled back.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
