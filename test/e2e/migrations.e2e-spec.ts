import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import request from 'supertest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../src/database/migrations/index.js';
import { AddNameSkeleton1764900000000 } from '../../src/database/migrations/1764900000000-add-name-skeleton.js';

// A database from before the name policy, with names it would refuse and two that look alike,
// brought up to date by the service's own start-up: every account still logs in, the earlier of
// two look-alikes keeps the name's skeleton, and new look-alikes of either are refused.
const dataDir = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-migrate-'));
process.env.DATA_DIR = dataDir;
process.env.SIGNUP_ENABLED = 'true';

// The database the app will open: this file's PostgreSQL database (npm run test:postgres) or SQLite.
const connection = (migrations: DataSourceOptions['migrations'] = []): DataSourceOptions =>
  process.env.DATABASE_URL === undefined
    ? { type: 'better-sqlite3', database: join(dataDir, 'auth.sqlite'), migrations }
    : { type: 'postgres', url: process.env.DATABASE_URL, migrations };
const placeholders = (count: number) =>
  Array.from({ length: count }, (_, i) => (process.env.DATABASE_URL === undefined ? '?' : `$${i + 1}`)).join(
    ', ',
  );
const OLD_NAMES = ['admin', 'adm1n', 'mallory\u200b', '\u202eevil'];
const PASSWORD = 'an old password';

describe('Migrating a database from before the name policy', () => {
  let app: import('@nestjs/platform-fastify').NestFastifyApplication;
  let server: import('node:http').Server;

  beforeAll(async () => {
    const before = new DataSource(
      connection(migrations.filter((migration) => migration !== AddNameSkeleton1764900000000)),
    );
    await before.initialize();
    await before.runMigrations();
    const passwordHash = await hash(PASSWORD);
    for (const name of OLD_NAMES) {
      await before.query(`INSERT INTO users (name, name_key, password_hash) VALUES (${placeholders(3)})`, [
        name,
        name.normalize('NFC').toLowerCase(),
        passwordHash,
      ]);
    }
    await before.destroy();

    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app?.close());

  it('should give the earlier of two look-alikes the skeleton and the later none', async () => {
    const check = new DataSource(connection());
    await check.initialize();
    const rows = await check.query<{ name: string; name_skeleton: string | null }[]>(
      'SELECT name, name_skeleton FROM users ORDER BY id',
    );
    await check.destroy();
    expect(rows.map((row) => [row.name, row.name_skeleton])).toEqual([
      ['admin', expect.any(String)],
      ['adm1n', null],
      ['mallory\u200b', expect.any(String)],
      ['\u202eevil', expect.any(String)],
    ]);
  });

  it.each(OLD_NAMES)('should still let %p log in', async (name) => {
    await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
  });

  it.each(['ADM1N', 'admIn', 'mallory', 'evil'])(
    'should refuse the look-alike %p of an old name',
    async (name) => {
      await request(server).post('/users').send({ name, password: 'a new password' }).expect(409);
    },
  );
});
