import { join } from 'node:path';
import {
  Global,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { MailMetrics } from '../metrics/mail-metrics.js';
import { Metrics } from '../metrics/metrics.js';
import { FileTransport, SmtpTransport, type MailTransport } from './mail-transport.js';
import { Mailer } from './mailer.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { DEFAULT_OUTBOX_OPTIONS, OutboxWorker } from './outbox-worker.js';
import { Outbox } from './outbox.js';

/** Starts and stops the worker with the application, and says at start-up how mail leaves. */
@Injectable()
class OutboxLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly env: Pick<Env, 'MAIL_MODE'>,
    private readonly worker: OutboxWorker | undefined,
  ) {}

  onApplicationBootstrap(): void {
    const logger = new Logger('Mail');
    if (this.env.MAIL_MODE === 'off') {
      logger.log('mail is off (production without SMTP_URL): the mail routes answer 404');
      return;
    }
    logger.log(
      this.env.MAIL_MODE === 'smtp' ? 'mail goes out over SMTP_URL' : 'mail is written to the outbox folder',
    );
    this.worker?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}

function transportOf(env: Env): MailTransport | undefined {
  if (env.MAIL_MODE === 'smtp') {
    return new SmtpTransport(env.SMTP_URL!);
  }
  return env.MAIL_MODE === 'files' ? new FileTransport(join(env.DATA_DIR, 'outbox')) : undefined;
}

/**
 * Mail (docs/email.md): the durable outbox, its worker and the Mailer features use. Global.
 * `deliver` false (the operators' CLI) queues mail without delivering it: the service does.
 */
@Global()
@Module({})
export class MailModule {
  static forRoot(env: Env, { deliver }: { deliver: boolean }): DynamicModule {
    return {
      module: MailModule,
      imports: [TypeOrmModule.forFeature([OutboxMessageEntity])],
      providers: [
        Outbox,
        {
          provide: OutboxWorker,
          inject: [Outbox, Metrics],
          useFactory: (outbox: Outbox, metrics: Metrics) => {
            const transport = deliver ? transportOf(env) : undefined;
            if (transport === undefined) {
              return undefined;
            }
            const mailMetrics = new MailMetrics(metrics);
            mailMetrics.watchDepth(() => outbox.depth());
            return new OutboxWorker(outbox, transport, mailMetrics, {
              ...DEFAULT_OUTBOX_OPTIONS,
              pollMs: env.MAIL_POLL_INTERVAL * 1000,
              from: env.MAIL_FROM!,
            });
          },
        },
        {
          provide: Mailer,
          inject: [Outbox, OutboxWorker],
          useFactory: (outbox: Outbox, worker: OutboxWorker | undefined) =>
            new Mailer(outbox, { mode: env.MAIL_MODE, publicUrl: env.PUBLIC_URL }, worker),
        },
        {
          provide: OutboxLifecycle,
          inject: [OutboxWorker],
          useFactory: (worker: OutboxWorker | undefined) => new OutboxLifecycle(env, worker),
        },
      ],
      exports: [Mailer, Outbox],
    };
  }
}
