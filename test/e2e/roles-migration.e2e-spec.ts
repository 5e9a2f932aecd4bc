import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import request from 'supertest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AddRoles1767000000000 } from '../../src/database/migrations/1767000000000-add-roles.js';
import { migrations } from '../../src/database/migrations/index.js';

// A database from before roles, brought up to date by the service's own start-up: the first
// account (the lowest id, the one the seeder made) becomes the admin, every other one a user.
const dataDir = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-roles-'));
process.env.DATA_DIR = dataDir;

const connection = (list: DataSourceOptions['migrations'] = []): DataSourceOptions =>
  process.env.DATABASE_URL === undefined
    ? { type: 'better-sqlite3', database: join(dataDir, 'auth.sqlite'), migrations: list }
    : { type: 'postgres', url: process.env.DATABASE_URL, migrations: list };
const placeholders = (count: number) =>
  Array.from({ length: count }, (_, i) => (process.env.DATABASE_URL === undefined ? '?' : `$${i + 1}`)).join(
    ', ',
  );
const PASSWORD = 'an old password';
const NAMES = ['first', 'second', 'third'];

describe('Migrating a database from before roles', () => {
  let app: import('@nestjs/platform-fastify').NestFastifyApplication;
  let server: import('node:http').Server;

  beforeAll(async () => {
    const before = new DataSource(
      connection(migrations.filter((migration) => migration !== AddRoles1767000000000)),
    );
    await before.initialize();
    await before.runMigrations();
    const passwordHash = await hash(PASSWORD);
    for (const name of NAMES) {
      await before.query(
        `INSERT INTO users (name, name_key, name_skeleton, password_hash) VALUES (${placeholders(4)})`,
        [name, name, name, passwordHash],
      );
    }
    await before.destroy();
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app?.close());

  const tokenOf = async (name: string) =>
    (
      (await request(server).post('/login').send({ name, password: PASSWORD }).expect(200)).body as {
        token: string;
      }
    ).token;

  it('should make the lowest id the admin and the others users', async () => {
    const check = new DataSource(connection());
    await check.initialize();
    const rows = await check.query<{ name: string; roles: string; last_login_at: unknown }[]>(
      'SELECT name, roles, last_login_at FROM users ORDER BY id',
    );
    await check.destroy();
    expect(rows).toEqual([
      { name: 'first', roles: 'admin', last_login_at: null },
      { name: 'second', roles: 'user', last_login_at: null },
      { name: 'third', roles: 'user', last_login_at: null },
    ]);
  });

  it('should let the first account into the admin API and refuse the others (403)', async () => {
    await request(server)
      .get('/admin/users')
      .set('Authorization', `Bearer ${await tokenOf('first')}`)
      .expect(200);
    await request(server)
      .get('/admin/users')
      .set('Authorization', `Bearer ${await tokenOf('second')}`)
      .expect(403);
  });

  it('should not seed a demo admin beside the existing accounts', async () => {
    await request(server).post('/login').send({ name: 'admin', password: '1234' }).expect(400);
  });
});
