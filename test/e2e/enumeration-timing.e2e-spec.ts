import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp, httpServer } from '../support/app.js';
import { INVALID_CREDENTIALS_BODY } from '../support/expected.js';

/**
 * An unknown name and a wrong password must cost the same: without the dummy argon2 verify an
 * unknown name answers in about 1 ms and a wrong password in about 45 ms, a 40x difference. The
 * samples are interleaved so machine noise hits both alike, and medians are compared with a
 * generous margin: this catches a missing hash, not microseconds.
 */
describe('POST /login timing', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app.close());

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };

  async function timed(name: string): Promise<number> {
    const started = performance.now();
    const response = await request(server).post('/login').send({ name, password: 'not the password' });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(400);
    expect(response.body).toEqual(INVALID_CREDENTIALS_BODY);
    return elapsed;
  }

  it('should take as long for an unknown name as for a wrong password', async () => {
    await timed('admin'); // warm-up: JIT, argon2 thread pool
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 20; i++) {
      unknown.push(await timed(`nobody-${i}`));
      wrong.push(await timed('admin'));
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  }, 60_000);
});
