import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MailMetrics } from '../../src/metrics/mail-metrics.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { composeMail, escapeHtml } from '../../src/mail/mail-content.js';
import { classify, MailDeliveryError, MailTransport } from '../../src/mail/mail-transport.js';
import { Outbox } from '../../src/mail/outbox.js';
import type { OutboxMessageEntity } from '../../src/mail/outbox-message.entity.js';
import { mockOf, type MockOf } from '../support/mocks.js';
import { DEFAULT_OUTBOX_OPTIONS, OutboxWorker, retryDelayMs } from '../../src/mail/outbox-worker.js';

const NOW = new Date('2026-12-08T00:00:00Z');

function row(overrides: Partial<OutboxMessageEntity> = {}): OutboxMessageEntity {
  return {
    id: 1,
    recipient: 'alice@example.com',
    subject: 'Hello',
    text: 'text',
    html: '<p>html</p>',
    status: 'queued',
    attempts: 0,
    rejections: 0,
    nextAttemptAt: NOW,
    leaseOwner: null,
    leaseUntil: new Date(0),
    lastError: null,
    createdAt: NOW,
    sentAt: null,
    ...overrides,
  };
}

/** The metric's value in the registry. */
async function counted(metrics: Metrics, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? 0;
}

describe('retryDelayMs', () => {
  it('should wait 1 s, doubling, never more than a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });
});

describe('classify', () => {
  it('should take a 5xx answer as permanent, a 4xx or a connection failure as transient', () => {
    expect(classify(Object.assign(new Error('x'), { responseCode: 550, code: 'EENVELOPE' }))).toMatchObject({
      kind: 'permanent',
      reason: '550 EENVELOPE',
    });
    expect(classify(Object.assign(new Error('x'), { responseCode: 451, code: 'EMESSAGE' }))).toMatchObject({
      kind: 'transient',
      reason: '451 EMESSAGE',
    });
    expect(classify(Object.assign(new Error('x'), { code: 'ECONNECTION' }))).toMatchObject({
      kind: 'transient',
      reason: 'ECONNECTION',
    });
  });
});

describe('OutboxWorker', () => {
  let outbox: MockOf<Outbox>;
  let send: jest.Mock<MailTransport['send']>;
  let metrics: Metrics;
  let worker: OutboxWorker;

  beforeEach(() => {
    outbox = mockOf(Outbox);
    outbox.markSent.mockResolvedValue(undefined);
    outbox.retryAt.mockResolvedValue(undefined);
    outbox.giveUp.mockResolvedValue(undefined);
    send = jest.fn<MailTransport['send']>();
    const transport = new (class extends MailTransport {
      send = send;
    })();
    metrics = new Metrics();
    worker = new OutboxWorker(
      outbox as unknown as Outbox,
      transport,
      new MailMetrics(metrics),
      { ...DEFAULT_OUTBOX_OPTIONS, from: 'no-reply@example.com' },
      () => NOW,
    );
  });

  const claims = (...batches: OutboxMessageEntity[][]) => {
    for (const batch of batches) {
      outbox.claim.mockResolvedValueOnce(batch);
    }
    outbox.claim.mockResolvedValue([]);
  };

  it('should send a claimed mail once and mark it sent', async () => {
    claims([row()]);
    send.mockResolvedValue(undefined);
    await worker.deliverDue();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith(1, 'no-reply@example.com', {
      to: 'alice@example.com',
      subject: 'Hello',
      text: 'text',
      html: '<p>html</p>',
    });
    expect(outbox.markSent).toHaveBeenCalledWith(1, 1, NOW);
    expect(await counted(metrics, 'mail_sent_total')).toBe(1);
  });

  it('should put the mail off with backoff while the server is down or answers 4xx', async () => {
    claims([row({ attempts: 2 })]);
    send.mockRejectedValue(new MailDeliveryError('transient', 'ECONNECTION'));
    await worker.deliverDue();
    expect(outbox.retryAt).toHaveBeenCalledWith(1, {
      attempts: 3,
      rejections: 0,
      next: new Date(NOW.getTime() + 4_000),
      error: 'ECONNECTION',
    });
    expect(outbox.markSent).not.toHaveBeenCalled();
    expect(outbox.giveUp).not.toHaveBeenCalled();
    expect(await counted(metrics, 'mail_retried_total')).toBe(1);
  });

  it('should retry a 5xx answer until the bound, then give up and record why', async () => {
    claims([row({ attempts: 1, rejections: 1 })]);
    send.mockRejectedValue(new MailDeliveryError('permanent', '550 EENVELOPE'));
    await worker.deliverDue();
    expect(outbox.retryAt).toHaveBeenCalledWith(1, expect.objectContaining({ attempts: 2, rejections: 2 }));

    claims([row({ attempts: 2, rejections: 2 })]);
    await worker.deliverDue();
    expect(outbox.giveUp).toHaveBeenCalledWith(1, {
      attempts: 3,
      rejections: 3,
      error: 'rejected: 550 EENVELOPE',
    });
    expect(await counted(metrics, 'mail_failed_total')).toBe(1);
  });

  it('should give up on a mail still undelivered after maxAgeMs', async () => {
    claims([row({ attempts: 40, createdAt: new Date(NOW.getTime() - DEFAULT_OUTBOX_OPTIONS.maxAgeMs) })]);
    send.mockRejectedValue(new MailDeliveryError('transient', '421 ECONNECTION'));
    await worker.deliverDue();
    expect(outbox.giveUp).toHaveBeenCalledWith(1, {
      attempts: 41,
      rejections: 0,
      error: 'gave up after 41 tries: 421 ECONNECTION',
    });
  });

  it('should keep claiming while full batches come back', async () => {
    const full = Array.from({ length: DEFAULT_OUTBOX_OPTIONS.batch }, (_, index) => row({ id: index + 1 }));
    claims(full, [row({ id: 99 })]);
    send.mockResolvedValue(undefined);
    await worker.deliverDue();
    expect(send).toHaveBeenCalledTimes(DEFAULT_OUTBOX_OPTIONS.batch + 1);
    expect(outbox.claim).toHaveBeenCalledTimes(2);
  });
});

describe('composeMail', () => {
  it('should escape every value in the HTML and keep the text as it is', () => {
    const mail = composeMail('a@example.com', 'Subject', ['Hello <b>"eve"</b> & co'], {
      label: 'Open',
      url: 'http://localhost:3000/verify-email#token=a"b<c',
    });
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
    expect(mail.html).toContain('<p>Hello &lt;b&gt;&quot;eve&quot;&lt;/b&gt; &amp; co</p>');
    expect(mail.html).toContain('href="http://localhost:3000/verify-email#token=a&quot;b&lt;c"');
    expect(mail.text).toBe(
      'Hello <b>"eve"</b> & co\n\nOpen:\nhttp://localhost:3000/verify-email#token=a"b<c\n',
    );
  });
});
