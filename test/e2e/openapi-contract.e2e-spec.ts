import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
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
  'x-maxBytes'?: number;
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

/** Fixed, so that a failure reproduces; fast-check's message names the counterexample. */
const RUNS = { seed: 22, numRuns: 25 };

/** An RFC 3339 date-time, what `format: date-time` means. */
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Text of any kind (whole Unicode range), as a client may send it. */
const anyText = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: 'grapheme', ...constraints });

/** Values a parameter's schema refuses, as the text of a path segment or query value. */
function violating(schema: Schema): fc.Arbitrary<string>[] {
  const arbitraries: fc.Arbitrary<string>[] = [];
  if (schema.type === 'integer') {
    arbitraries.push(anyText({ minLength: 1 }).filter((text) => !/^[0-9]+$/.test(text)));
    arbitraries.push(
      fc
        .double({ noNaN: true, noDefaultInfinity: true })
        .filter((n) => !Number.isInteger(n))
        .map(String),
    );
    if (schema.minimum !== undefined) {
      arbitraries.push(fc.bigInt({ min: -(10n ** 20n), max: BigInt(schema.minimum) - 1n }).map(String));
    }
    if (schema.maximum !== undefined) {
      arbitraries.push(fc.bigInt({ min: BigInt(schema.maximum) + 1n, max: 10n ** 30n }).map(String));
    }
    return arbitraries;
  }
  if (schema.enum !== undefined) {
    arbitraries.push(anyText({ minLength: 1 }).filter((text) => !schema.enum!.includes(text)));
  }
  if (schema.maxLength !== undefined) {
    arbitraries.push(
      anyText({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 20 }).filter(
        (text) => text.length > schema.maxLength!,
      ),
    );
  }
  if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern, 'u');
    arbitraries.push(anyText({ minLength: 1 }).filter((text) => !pattern.test(text)));
  }
  if (schema.format === 'uuid') {
    arbitraries.push(anyText({ minLength: 1 }).filter((text) => !UUID.test(text)));
  }
  if (schema.format === 'date-time') {
    arbitraries.push(
      anyText({ minLength: 1, maxLength: schema.maxLength }).filter((text) => !DATE_TIME.test(text)),
    );
  }
  return arbitraries;
}

/** Values a parameter's schema allows, or undefined when any text is allowed (nothing to hold). */
function satisfying(schema: Schema): fc.Arbitrary<string> | undefined {
  if (schema.type === 'integer') {
    return fc
      .integer({ min: schema.minimum ?? 1, max: schema.maximum ?? Number.MAX_SAFE_INTEGER })
      .map(String);
  }
  if (schema.enum !== undefined) {
    return fc.constantFrom(...schema.enum.map(String));
  }
  if (schema.format === 'date-time') {
    return fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
  }
  if (schema.pattern !== undefined) {
    return fc
      .stringMatching(new RegExp(schema.pattern, 'u'))
      .filter(
        (text) => text.length >= (schema.minLength ?? 0) && text.length <= (schema.maxLength ?? Infinity),
      );
  }
  return anyText({ minLength: schema.minLength, maxLength: schema.maxLength });
}

/** Values a body field's schema refuses by one of its documented constraints, each with what it breaks. */
function breakingConstraints(schema: Schema): [string, fc.Arbitrary<unknown>][] {
  const broken: [string, fc.Arbitrary<unknown>][] = [];
  if (schema.type === 'string') {
    if ((schema.minLength ?? 0) > 0) {
      broken.push([
        'minLength',
        anyText({ maxLength: schema.minLength! - 1 }).filter((text) => text.length < schema.minLength!),
      ]);
    }
    if (schema.maxLength !== undefined) {
      broken.push([
        'maxLength',
        fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 20 }),
      ]);
    }
    if (schema.pattern !== undefined) {
      const pattern = new RegExp(schema.pattern, 'u');
      broken.push(['pattern', anyText().filter((text) => !pattern.test(text))]);
    }
    if (schema.enum !== undefined) {
      broken.push(['enum', anyText().filter((text) => !schema.enum!.includes(text))]);
    }
  }
  if (schema.type === 'array') {
    const item = validValue(schema.items ?? {});
    if ((schema.minItems ?? 0) > 0) {
      broken.push(['minItems', fc.constant([])]);
    }
    if (schema.maxItems !== undefined) {
      broken.push(['maxItems', fc.constant(Array.from({ length: schema.maxItems + 1 }, () => item))]);
    }
    if (schema.items?.enum !== undefined) {
      const allowed = schema.items.enum;
      broken.push([
        'items.enum',
        anyText()
          .filter((text) => !allowed.includes(text))
          .map((text) => [text]),
      ]);
    }
  }
  return broken;
}

/**
 * Runs `check` on values of `arbitrary` (fast-check, shrinking a failure); what it said of the
 * smallest failing value it found, or undefined when every value passed.
 */
async function problemWith<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<string | undefined>,
  runs = RUNS,
): Promise<string | undefined> {
  let last: string | undefined;
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      const problem = await check(value);
      last = problem ?? last;
      return problem === undefined;
    }),
    runs,
  );
  return details.failed ? last : undefined;
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

/** `body` with the field at `names` (a path into nested objects) set to `value`. */
function withField(body: Record<string, unknown>, names: string[], value: unknown): Record<string, unknown> {
  const [name, ...rest] = names;
  return {
    ...body,
    [name]: rest.length === 0 ? value : withField(body[name] as Record<string, unknown>, rest, value),
  };
}

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
  /** Every field of a body's schema, those of its nested objects too, by their path of names. */
  const fieldsOf = (schema: Schema, names: string[] = []): { names: string[]; schema: Schema }[] =>
    Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
      const resolved = resolve(property);
      const field = { names: [...names, name], schema: resolved };
      return resolved.properties === undefined ? [field] : [field, ...fieldsOf(resolved, field.names)];
    });
  const resolve = (schema: Schema): Schema =>
    schema.$ref === undefined ? schema : resolve(document.components.schemas[schema.$ref.split('/').pop()!]);
  const send = (method: Method | 'options', url: string) =>
    request(server)[method](url).set('Authorization', `Bearer ${admin}`);
  const withIds = (path: string) => path.replace('{id}', String(userId));
  /** A body its schema allows for an operation that takes one (else none). */
  const bodyFor = (method: Method, path: string) => {
    const body = document.paths[path][method]!.requestBody;
    if (body === undefined) {
      return undefined;
    }
    const route = `${method.toUpperCase()} ${path}`;
    return CHANGING_BODIES[route] ?? validValue(resolve(body.content['application/json'].schema!));
  };

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
    // So that POST /users, /login/email and /login/link are in the document and covered too.
    process.env.SIGNUP_ENABLED = 'true';
    process.env.EMAIL_LOGIN_ENABLED = 'true';
    app = await createTestApp();
    delete process.env.SIGNUP_ENABLED;
    delete process.env.EMAIL_LOGIN_ENABLED;
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
        const base = CHANGING_BODIES[route] ?? (validValue(schema) as Record<string, unknown>);
        for (const { names, schema: fieldSchema } of fieldsOf(schema)) {
          const field = names[names.length - 1];
          for (const [what, value] of wrongValues(fieldSchema)) {
            const before = await storedState();
            const response = await send(method, withIds(path)).send(withField(base, names, value));
            const answer = response.body as ErrorAnswer;
            const after = await storedState();
            const label = `${route} ${names.join('.')} = ${what}`;
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
  describe('every documented constraint of a body field', () => {
    it('should be enforced: a value that breaks it is a 400 naming the field', async () => {
      const problems: string[] = [];
      for (const { method, path, operation } of operations().filter(
        (one) => one.operation.requestBody !== undefined,
      )) {
        const route = `${method.toUpperCase()} ${path}`;
        const schema = resolve(operation.requestBody!.content['application/json'].schema!);
        const base = CHANGING_BODIES[route] ?? (validValue(schema) as Record<string, unknown>);
        for (const { names, schema: fieldSchema } of fieldsOf(schema)) {
          const field = names[names.length - 1];
          for (const [constraint, values] of breakingConstraints(fieldSchema)) {
            const problem = await problemWith(
              values,
              async (value) => {
                const response = await send(method, withIds(path)).send(withField(base, names, value));
                const answer = response.body as ErrorAnswer;
                return response.status === 400 && new RegExp(`\\b${field}\\b`).test(answer.message ?? '')
                  ? undefined
                  : `${route} ${names.join('.')} breaking ${constraint} (${JSON.stringify(value)}): ${response.status} ${answer.message}`;
              },
              { ...RUNS, numRuns: 10 },
            );
            if (problem !== undefined) {
              problems.push(problem);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it("should be all there is to a field's length: an empty string the document allows is not refused as empty", async () => {
      const problems: string[] = [];
      for (const { method, path, operation } of operations().filter(
        (one) => one.operation.requestBody !== undefined,
      )) {
        const route = `${method.toUpperCase()} ${path}`;
        const schema = resolve(operation.requestBody!.content['application/json'].schema!);
        const base = CHANGING_BODIES[route] ?? (validValue(schema) as Record<string, unknown>);
        for (const { names, schema: resolved } of fieldsOf(schema)) {
          const field = names[names.length - 1];
          if (resolved.type !== 'string' || (resolved.minLength ?? 0) > 0 || resolved.pattern !== undefined) {
            continue;
          }
          const response = await send(method, withIds(path)).send(withField(base, names, ''));
          const message = (response.body as ErrorAnswer).message ?? '';
          if (
            response.status === 400 &&
            new RegExp(`\\b${field} (must not be empty|is required|must be at least)`).test(message)
          ) {
            problems.push(`${route} ${field}: the document allows "", the service says "${message}"`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('every parameter', () => {
    const parameters = () =>
      operations().flatMap(({ method, path, operation }) =>
        (operation.parameters ?? [])
          .filter((parameter) => parameter.in === 'path' || parameter.in === 'query')
          .map((parameter) => ({ method, path, parameter, schema: resolve(parameter.schema ?? {}) })),
      );
    /** The operation's URL with `value` as the parameter (and a real user id for any other `{id}`). */
    const urlWith = (path: string, parameter: Parameter, value: string) =>
      parameter.in === 'path'
        ? path.replace(`{${parameter.name}}`, encodeURIComponent(value))
        : `${withIds(path)}?${parameter.name}=${encodeURIComponent(value)}`;

    it('should refuse, with a 400 JSON error, a value that breaks its documented schema', async () => {
      const problems: string[] = [];
      const list = parameters();
      expect(list.length).toBeGreaterThanOrEqual(10);
      for (const { method, path, parameter, schema } of list) {
        const route = `${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`;
        const body = bodyFor(method, path);
        for (const values of violating(schema)) {
          const problem = await problemWith(values, async (value) => {
            const response = await send(method, urlWith(path, parameter, value)).send(body);
            const answer = response.body as ErrorAnswer;
            return response.status === 400 && new RegExp(`\\b${parameter.name}\\b`).test(answer.message ?? '')
              ? undefined
              : `${route} = ${JSON.stringify(value)}: ${response.status} ${JSON.stringify(answer)}`;
          });
          if (problem !== undefined) {
            problems.push(problem);
          }
        }
        if (parameter.in === 'query') {
          // One value is what the schema (not an array) describes: the same parameter twice is not.
          const once = `${parameter.name}=${encodeURIComponent(String(validValue(schema)))}`;
          const response = await send(method, `${withIds(path)}?${once}&${once}`).send(body);
          if (response.status !== 400) {
            problems.push(`${route} given twice: ${response.status} ${JSON.stringify(response.body)}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('should take a value its documented schema allows (a read answers, never a 400 or 500)', async () => {
      const problems: string[] = [];
      // Reads only: an allowed id on DELETE would delete.
      for (const { method, path, parameter, schema } of parameters().filter((one) => one.method === 'get')) {
        const values = satisfying(schema);
        if (values === undefined) {
          continue;
        }
        const route = `${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`;
        const problem = await problemWith(values, async (value) => {
          const response = await send(method, urlWith(path, parameter, value));
          return response.status < 400 || response.status === 404
            ? undefined
            : `${route} = ${JSON.stringify(value)}: ${response.status} ${JSON.stringify(response.body)}`;
        });
        if (problem !== undefined) {
          problems.push(problem);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('every path', () => {
    it('should answer a method it does not document with 405 and Allow listing exactly the documented ones', async () => {
      const problems: string[] = [];
      for (const [path, item] of Object.entries(document.paths)) {
        const documented = METHODS.filter((method) => item[method] !== undefined).map((method) =>
          method.toUpperCase(),
        );
        const url = withIds(path).replace('{id}', '00000000-0000-4000-8000-000000000000');
        // A page served at the same path (GET /login) is no API operation, but it is a GET there.
        const page =
          !documented.includes('GET') &&
          /text\/html/.test(String((await request(server).get(url)).headers['content-type']));
        const expected = [...documented, ...(documented.includes('GET') || page ? ['GET', 'HEAD'] : [])];
        for (const method of [...METHODS, 'options' as const]) {
          if (expected.includes(method.toUpperCase())) {
            continue;
          }
          const response = await send(method, url);
          const allow = String(response.headers.allow ?? '')
            .split(/,\s*/)
            .filter(Boolean)
            .sort();
          if (
            response.status !== 405 ||
            JSON.stringify(allow) !== JSON.stringify([...new Set(expected)].sort())
          ) {
            problems.push(
              `${method.toUpperCase()} ${path}: ${response.status}, Allow: ${response.headers.allow} (documented: ${documented.join(', ')})`,
            );
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });
});
