import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Actor } from '../common/request-context/actor.js';
import type { Env } from '../config/env.schema.js';
import { AuditLog } from '../logging/audit.js';
import { Metrics, type MailTarget } from '../metrics/metrics.js';
import { THROTTLER_STORAGE } from './memory-throttler.storage.js';

/** The window MAIL_TARGET_LIMIT counts in: an hour. */
export const MAIL_TARGET_WINDOW_MS = 3_600_000;

/**
 * Limits the mails the public routes may send to one target, whoever asks: MAIL_TARGET_LIMIT an
 * hour per address (POST /password/forgot) and per account name (POST /email/verify/resend), on
 * top of the per-client-address limit of their guard. Counted in THROTTLER_STORAGE, so in
 * memory or shared by every instance through Redis.
 *
 * Over the limit the caller still gets the route's one 202 answer and no mail goes out. A 429
 * per target would be an enumeration oracle (it answers differently for a target that others,
 * or the real owner, have asked about) and a way to lock a victim out of their own reset by
 * asking for it in their place. Targets are counted whether or not they exist, and kept as a
 * hash: the counters never hold an address.
 */
@Injectable()
export class MailTargetLimiter {
  private readonly limit: number;

  constructor(
    @Inject(THROTTLER_STORAGE) private readonly storage: ThrottlerStorage,
    config: ConfigService<Env, true>,
    private readonly metrics: Metrics,
    private readonly auditLog: AuditLog,
  ) {
    this.limit = config.get('MAIL_TARGET_LIMIT', { infer: true });
  }

  /**
   * Counts one mail asked for `target` (an address, or an account name: compared in `key`'s
   * form) and says whether it may be sent; when not, records `mail.throttled` and the metric.
   */
  async allow(kind: MailTarget, key: string, actor: Actor): Promise<boolean> {
    const digest = createHash('sha256').update(key).digest('base64url');
    const { isBlocked } = await this.storage.increment(
      `mail:${kind}:${digest}`,
      MAIL_TARGET_WINDOW_MS,
      this.limit,
      0,
      'mail',
    );
    if (isBlocked) {
      this.auditLog.record('mail.throttled', actor, { target: kind });
      this.metrics.mailThrottled(kind);
    }
    return !isBlocked;
  }
}
