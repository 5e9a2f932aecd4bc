import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditStore } from '../../src/audit/audit-store.js';
import { DEMO_ADMIN } from '../../src/users/admin-seeder.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { tokenFor } from '../support/session-client.js';

/**
 * The service held to its own OpenAPI document, operation by operation, read from the document the
 * app serves: a route added later is covered without a line here. Every field of every JSON body
 * given null, a wrong type, an array for a scalar or an object for an array (or repeats where the
 * schema says unique) is a 400 that names the field and writes nothing; every documented
 * constraint on a parameter is enforced (a 4xx JSON error, never a 500) and values that satisfy
 * it are not refused for their form; 405 answers allow exactly the documented methods.
 */

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
const METHODS: Method[] = ['get', 'put', 'post', 'delete', 'patch'];

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  nullable?: boolean;
  example?: unknown;
  format?: string;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { schemas: Record<string, Schema> };
}

interface ErrorAnswer {
  statusCode?: number;
  error?: string;
  message?: string;
}

/**
 * Bodies that would change something if the service took them, where what the schema's examples
 * build would not (a promotion to admin together with a disable): a refusal must then leave no
 * part of them written. Any other operation gets a body built from its schema.
 */
const CHANGING_BODIES: Record<string, Record<string, unknown>> = {
  'PATCH /admin/users/{id}': { roles: ['admin', 'user'], disabled: true },
};

/** A value the schema allows (its example when it has one), for the fields not under test. */
function validValue(schema: Schema): unknown {
  if (schema.example !== undefined) {
    return schema.example;
  }
  if (schema.enum !== undefined) {
    return schema.enum[0];
  }
  switch (schema.type) {
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'array':
      return [validValue(schema.items ?? { type: 'string' })];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, property]) => [name, validValue(property)]),
      );
    default:
      return schema.pattern === '^\\d{6}$' ? '123456' : 'x'.repeat(Math.max(schema.minLength ?? 1, 8));
  }
}

/** The values of the wrong shape for a field of this schema, each with what it is. */
function wrongValues(schema: Schema): [string, unknown][] {
  const valid = validValue(schema);
  const wrong: [string, unknown][] = [];
  if (schema.nullable !== true) {
    wrong.push(['null', null]);
  }
  switch (schema.type) {
    case 'array':
      wrong.push(['a string', 'user'], ['a number', 1], ['an object', { 0: (valid as unknown[])[0] }]);
      if (schema.uniqueItems === true) {
        const item = (valid as unknown[])[0];
        wrong.push(['repeated items', [item, item]]);
      }
      break;
    case 'object':
      wrong.push(['a string', 'x'], ['an array', [valid]], ['a number', 1]);
      break;
    case 'boolean':
      wrong.push(
        ['a string', 'true'],
        ['a number', 1],
        ['an array', [valid]],
        ['an object', { value: valid }],
      );
      break;
    case 'integer':
    case 'number':
      wrong.push(['a string', String(valid)], ['an array', [valid]], ['an object', { value: valid }]);
      break;
    default:
      wrong.push(
        ['a number', 12345678],
        ['a boolean', true],
        ['an array', [valid]],
        ['an object', { value: valid }],
      );
  }
  return wrong;
}

describe('The service against its OpenAPI document', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let document: OpenApiDocument;
  let admin: string;
  /** A user (role `user`, enabled) the admin routes' `{id}` names. */
  let userId: number;

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method] !== undefined).map((method) => ({
        method,
        path,
        operation: item[method]!,
      })),
    );
  const resolve = (schema: Schema): Schema =>
    schema.$ref === undefined ? schema : resolve(document.components.schemas[schema.$ref.split('/').pop()!]);
  const send = (method: Method, url: string) =>
    request(server)[method](url).set('Authorization', `Bearer ${admin}`);
  const withIds = (path: string) => path.replace('{id}', String(userId));

  /** Every table's rows, audit events written out first: what a refused request must leave as it was. */
  const storedState = async () => {
    await app.get(AuditStore).flush();
    const dataSource = app.get(DataSource);
    const tables = dataSource.entityMetadatas.map((entity) => entity.tableName).sort();
    const state: Record<string, unknown[]> = {};
    for (const table of tables) {
      state[table] = await dataSource.query<unknown[]>(`SELECT * FROM ${table} ORDER BY 1`);
    }
    return state;
  };

  beforeAll(async () => {
    // So that POST /users is in the document and covered too.
    process.env.SIGNUP_ENABLED = 'true';
    app = await createTestApp();
    delete process.env.SIGNUP_ENABLED;
    server = httpServer(app);
    document = (await request(server).get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    admin = await tokenFor(server, DEMO_ADMIN.name, DEMO_ADMIN.password);
    const created = await send('post', '/admin/users')
      .send({ name: 'contract-user', password: 'correct horse battery staple', roles: ['user'] })
      .expect(201);
    userId = (created.body as { id: number }).id;
  });

  afterAll(() => app.close());

  describe('every field of every JSON body', () => {
    it('should be refused with 400 naming the field, and nothing written, when it has the wrong shape', async () => {
      const bodies = operations().filter(({ operation }) => operation.requestBody !== undefined);
      // Sanity: the document has the bodies this test is about.
      expect(bodies.length).toBeGreaterThanOrEqual(8);
      const problems: string[] = [];
      for (const { method, path, operation } of bodies) {
        const route = `${method.toUpperCase()} ${path}`;
        const schema = resolve(operation.requestBody!.content['application/json'].schema!);
        const properties = Object.entries(schema.properties ?? {});
        const base = CHANGING_BODIES[route] ?? (validValue(schema) as Record<string, unknown>);
        for (const [field, property] of properties) {
          for (const [what, value] of wrongValues(resolve(property))) {
            const before = await storedState();
            const response = await send(method, withIds(path)).send({ ...base, [field]: value });
            const answer = response.body as ErrorAnswer;
            const after = await storedState();
            const label = `${route} ${field} = ${what}`;
            if (response.status !== 400 || answer.error !== 'Bad Request') {
              problems.push(`${label}: ${response.status} ${JSON.stringify(answer)}`);
            } else if (!new RegExp(`\\b${field}\\b`).test(answer.message ?? '')) {
              problems.push(`${label}: the message does not name ${field} (${answer.message})`);
            }
            if (JSON.stringify(after) !== JSON.stringify(before)) {
              problems.push(`${label}: the stored state changed`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('should leave the account as it was when one field of an admin change is null', async () => {
      const url = `/admin/users/${userId}`;
      const before = (await send('get', url).expect(200)).body as Record<string, unknown>;
      for (const body of [
        { roles: ['admin'], disabled: null },
        { roles: null, disabled: true },
        { roles: ['user', 'user'], disabled: true },
      ]) {
        await send('patch', url).send(body).expect(400);
        expect((await send('get', url).expect(200)).body).toEqual(before);
      }
    });
  });
});
