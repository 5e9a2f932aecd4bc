import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { BearerChallengeException } from '../../src/auth/bearer-challenge.exception.js';
import { NAME_MAX_LENGTH, PASSWORD_MAX_BYTES } from '../../src/common/validation/limits.js';
import { Draining } from '../../src/health/draining.js';
import { DEMO_ADMIN } from '../../src/users/admin-seeder.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { startServer } from '../support/server-process.js';
import { tokenFor } from '../support/session-client.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: { format?: string } }[];
  requestBody?: { content: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown }> }
  >;
}

interface BodySchema {
  additionalProperties?: boolean;
  properties: Record<
    string,
    { type?: string; maxLength?: number; pattern?: string; description?: string; 'x-maxBytes'?: number }
  >;
}

interface OpenApiDocument {
  openapi: string;
  security: Record<string, string[]>[];
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme?: string }>;
    schemas: Record<string, BodySchema>;
  };
}

/** Routes that are not the API: the pages, their assets and these docs (served by @fastify/static). */
/** Not a file's route (@fastify/static and PagesLoader set config.file), a catch-all or the docs. */
const isApiRoute = (url: string, config: unknown) =>
  (config as { file?: unknown } | undefined)?.file === undefined &&
  !url.includes('*') &&
  url !== '/docs' &&
  !url.startsWith('/docs/');

/** `/user/sessions/:id` as OpenAPI writes it: `/user/sessions/{id}`. */
const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };
const NO_TOKEN_MESSAGE = BearerChallengeException.missing().message;

describe('The OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: OpenApiDocument;
  /** "METHOD /path" of every route Fastify was asked to register, in OpenAPI's path syntax. */
  const registered = new Set<string>();

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method: method as Method, path, operation })),
    );
  const isPublic = (operation: Operation) =>
    operation.security !== undefined && operation.security.length === 0;
  /** The operation's path with its parameters filled in: a random (unknown) session id. */
  const concrete = (path: string) => path.replace('{id}', randomUUID());

  const login = () => tokenFor(httpServer(app), DEMO_ADMIN.name, DEMO_ADMIN.password);

  beforeAll(async () => {
    app = await createTestApp((nest) => {
      nest
        .getHttpAdapter()
        .getInstance()
        .addHook('onRoute', ({ method, url, config }) => {
          for (const one of [method].flat()) {
            // Fastify adds HEAD to every GET by itself.
            if (one !== 'HEAD' && isApiRoute(url, config)) {
              registered.add(`${one} ${toOpenApiPath(url)}`);
            }
          }
        });
    });
    const response = await request(httpServer(app)).get('/docs/openapi.json').expect(200);
    document = response.body as OpenApiDocument;
  });

  afterAll(() => app.close());

  describe('GET /docs/openapi.json', () => {
    it('should be served as JSON', () =>
      request(httpServer(app))
        .get('/docs/openapi.json')
        .expect(200)
        .expect('content-type', 'application/json; charset=utf-8'));

    it('should validate against the OpenAPI 3 schema, every $ref resolving', async () => {
      expect(document.openapi).toMatch(/^3\./);
      await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    });

    it('should document every route the app registers, and nothing else', () => {
      // Sanity: the hook saw the controllers, whatever they are.
      expect(registered.size).toBeGreaterThanOrEqual(7);
      // Sign-up is off (the default): POST /users is no route, so the document has none either.
      expect(registered.has('POST /users')).toBe(false);
      expect(
        operations()
          .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
          .sort(),
      ).toEqual([...registered].sort());
    });

    it('should declare bearer JWT as the scheme every operation needs unless it says otherwise', () => {
      expect(document.components.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      });
      expect(document.security).toEqual([{ bearer: [] }]);
      for (const { operation } of operations()) {
        expect([undefined, [], [{ bearer: [] }]]).toContainEqual(operation.security);
      }
    });
  });

  describe('every operation', () => {
    it('should be public in the document exactly when the app serves it without a token', async () => {
      const marked: string[] = [];
      const served: string[] = [];
      for (const { method, path, operation } of operations()) {
        const response = await request(httpServer(app))[method](concrete(path));
        const route = `${method.toUpperCase()} ${path}`;
        if (isPublic(operation)) {
          marked.push(route);
        }
        if (!(
          response.status === 401 && (response.body as { message?: string }).message === NO_TOKEN_MESSAGE
        )) {
          served.push(route);
        }
      }
      expect(marked.length).toBeGreaterThan(0);
      expect(marked.sort()).toEqual(served.sort());
    });

    it('should document its errors with the error body, Cache-Control: no-store, and a challenge on 401', () => {
      const problems: string[] = [];
      for (const { method, path, operation } of operations()) {
        const route = `${method.toUpperCase()} ${path}`;
        const errors = Object.entries(operation.responses).filter(([status]) => /^[45]\d\d$/.test(status));
        // What takes a token, a body or a parameter can be refused; GET /health/live takes nothing.
        const takesInput =
          !isPublic(operation) ||
          method !== 'get' ||
          operation.requestBody !== undefined ||
          (operation.parameters ?? []).length > 0;
        if (errors.length === 0 && takesInput) {
          problems.push(`${route}: no error documented`);
        }
        for (const [status, response] of errors) {
          const schema = response.content?.['application/json']?.schema;
          // A 503 of readiness is a state, said in terminus' body (docs/api.md#health).
          if (status.startsWith('4') && !isDeepStrictEqual(schema, ERROR_BODY_REF)) {
            problems.push(`${route} ${status}: not the error body schema`);
          }
          if (
            status.startsWith('5') &&
            (schema as { required?: string[] } | undefined)?.required === undefined
          ) {
            problems.push(`${route} ${status}: no body schema`);
          }
          if (response.headers?.['Cache-Control'] === undefined) {
            problems.push(`${route} ${status}: no Cache-Control`);
          }
        }
        if (!isPublic(operation) && operation.responses['401']?.headers?.['WWW-Authenticate'] === undefined) {
          problems.push(`${route}: no 401 with WWW-Authenticate`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('should document the status of each answer to a missing token, a bad or no body, and a valid token', async () => {
      const undocumented: string[] = [];
      for (const { method, path, operation } of operations()) {
        const url = concrete(path);
        const probes: { what: string; send: () => request.Test }[] = [
          { what: 'no token', send: () => request(httpServer(app))[method](url) },
        ];
        const token = await login();
        const withToken = () => request(httpServer(app))[method](url).set('Authorization', `Bearer ${token}`);
        if (operation.requestBody !== undefined || method !== 'get') {
          // A route that takes no body gets these too: what it answers to one must be documented.
          probes.push(
            { what: 'a text body', send: () => withToken().set('Content-Type', 'text/plain').send('x') },
            {
              what: 'malformed JSON',
              send: () => withToken().set('Content-Type', 'application/json').send('{'),
            },
            { what: 'an empty object', send: () => withToken().send({}) },
            { what: 'an unknown field', send: () => withToken().send({ unknown: true }) },
          );
        }
        // Last: for POST /logout, this one ends the session.
        probes.push({ what: 'a valid token', send: withToken });
        for (const { what, send } of probes) {
          const { status } = await send();
          if (operation.responses[String(status)] === undefined) {
            undocumented.push(`${method.toUpperCase()} ${path} with ${what}: ${status}`);
          }
        }
      }
      expect(undocumented).toEqual([]);
    });
  });

  describe('every request body schema', () => {
    const bodies = () =>
      operations().flatMap(({ method, path, operation }) => {
        const ref = operation.requestBody?.content['application/json']?.schema?.$ref;
        const name = ref?.split('/').pop();
        return name === undefined
          ? []
          : [{ route: `${method.toUpperCase()} ${path}`, name, schema: document.components.schemas[name] }];
      });

    it('should say what the service enforces: no other property, every string bounded, byte limits', () => {
      const problems: string[] = [];
      for (const { route, name, schema } of bodies()) {
        // JsonBodyValidationPipe refuses any property a DTO does not declare.
        if (schema.additionalProperties !== false) {
          problems.push(`${route} ${name}: additionalProperties is not false`);
        }
        for (const [property, rules] of Object.entries(schema.properties)) {
          const where = `${route} ${name}.${property}`;
          if (rules.type === 'string' && rules.maxLength === undefined) {
            problems.push(`${where}: no maxLength`);
          }
          const maxBytes = rules['x-maxBytes'];
          if (/password/i.test(property) && maxBytes !== PASSWORD_MAX_BYTES) {
            problems.push(`${where}: x-maxBytes is ${maxBytes}, not ${PASSWORD_MAX_BYTES}`);
          }
          if (maxBytes !== undefined && !rules.description?.includes(`${maxBytes} bytes`)) {
            problems.push(`${where}: the description does not say "${maxBytes} bytes"`);
          }
          if (maxBytes !== undefined && (rules.maxLength ?? Infinity) > maxBytes) {
            problems.push(`${where}: maxLength allows more characters than x-maxBytes allows bytes`);
          }
        }
      }
      expect(problems).toEqual([]);
      // Sanity: the walk saw the bodies (POST /users is off here: test/e2e/signup.e2e-spec.ts).
      expect(
        bodies()
          .map(({ name }) => name)
          .sort(),
      ).toEqual([
        'AddPasskeyDto',
        'ChangeEmailDto',
        'ChangePasswordDto',
        'CreateUserDto',
        'DisableTotpDto',
        'ForgotPasswordDto',
        'LoginDto',
        'LoginMfaDto',
        'PasskeyLoginDto',
        'RefreshDto',
        'ResendVerificationDto',
        'ResetPasswordDto',
        'ResetPasswordWithTokenDto',
        'StepUpDto',
        'StepUpDto',
        'TotpCodeDto',
        'UpdateUserDto',
        'VerifyEmailDto',
      ]);
    });

    it("should document POST /user/email's body with the step-up's field inherited", () => {
      expect(Object.keys(document.components.schemas.ChangeEmailDto.properties).sort()).toEqual([
        'currentPassword',
        'email',
      ]);
    });

    it('should state no name pattern at login, which does not check the name policy', () => {
      expect(document.components.schemas.LoginDto.properties.name).toEqual(
        expect.objectContaining({ maxLength: NAME_MAX_LENGTH }),
      );
      expect(document.components.schemas.LoginDto.properties.name.pattern).toBeUndefined();
    });
  });

  describe('every operation with no request body', () => {
    it('should refuse a body in our words (400), and answer {} as it answers no body', async () => {
      const refusals: string[] = [];
      for (const { method, path, operation } of operations()) {
        if (method === 'get' || operation.requestBody !== undefined) {
          continue;
        }
        const url = concrete(path);
        const send = async (body?: object) => {
          const call = request(httpServer(app))
            [method](url)
            .set('Authorization', `Bearer ${await login()}`);
          return body === undefined ? call : call.send(body);
        };
        const refused = await send({ scope: 'global' });
        refusals.push(`${method.toUpperCase()} ${path}: ${refused.status} ${refused.text}`);
        expect({ path, status: (await send({})).status }).toEqual({ path, status: (await send()).status });
      }
      const refusal = JSON.stringify(errorBody(400, 'Bad Request', 'request body must be empty'));
      expect(refusals.sort()).toEqual([
        `DELETE /admin/users/{id}/sessions: 400 ${refusal}`,
        `DELETE /admin/users/{id}: 400 ${refusal}`,
        `DELETE /user/passkeys/{id}: 400 ${refusal}`,
        `DELETE /user/sessions/{id}: 400 ${refusal}`,
        `POST /login/passkey/options: 400 ${refusal}`,
        `POST /logout: 400 ${refusal}`,
      ]);
    });
  });

  describe('every path parameter', () => {
    it('should be refused in our words when malformed: a documented 400 naming the parameter', async () => {
      const answers: string[] = [];
      for (const { method, path, operation } of operations()) {
        for (const { name } of (operation.parameters ?? []).filter((parameter) => parameter.in === 'path')) {
          const token = await login();
          const call = request(httpServer(app))
            [method](concrete(path.replace(`{${name}}`, 'not-a-uuid')))
            .set('Authorization', `Bearer ${token}`);
          // A route that takes a body gets one: without it, the answer would be about the body
          // (Nest resolves the parameters together, and the missing body's 415 comes first).
          const response = await (operation.requestBody === undefined ? call : call.send({}));
          const { message } = response.body as { message: string };
          answers.push(`${method.toUpperCase()} ${path} ${name}: ${response.status} ${message}`);
          expect(operation.responses[String(response.status)]).toBeDefined();
          expect(message).toMatch(new RegExp(`^${name} must `));
        }
      }
      const id = 'id: 400 id must be a positive integer';
      expect(answers.sort()).toEqual([
        `DELETE /admin/users/{id} ${id}`,
        `DELETE /admin/users/{id}/sessions ${id}`,
        `DELETE /user/passkeys/{id} id: 400 id must be a UUID`,
        `DELETE /user/sessions/{id} id: 400 id must be a UUID`,
        `GET /admin/users/{id} ${id}`,
        `GET /admin/users/{id}/sessions ${id}`,
        `PATCH /admin/users/{id} ${id}`,
        `PUT /admin/users/{id}/password ${id}`,
      ]);
    });
  });

  describe('GET /docs', () => {
    it('should serve Swagger UI from the service itself, under a CSP with no inline code and no other origin', async () => {
      const response = await request(httpServer(app))
        .get('/docs')
        .expect(200)
        .expect('content-type', 'text/html; charset=utf-8');
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).not.toMatch(/unsafe-|https?:|\*/);
      const html = response.text;
      expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/i);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url);
      expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-initializer.js']));
      for (const asset of assets) {
        expect(asset).toMatch(/^\/docs\//);
        await request(httpServer(app)).get(asset).expect(200);
      }
    });

    it('should not serve the rest of the swagger-ui-dist package', () =>
      request(httpServer(app))
        .get('/docs/swagger-ui/index.html')
        .expect(404, errorBody(404, 'Not Found', 'no such resource')));
  });

  describe('the health probes', () => {
    it("should be tagged 'health', with a 200 and (readiness) a 503 schema", () => {
      const tags = (document as unknown as { tags: { name: string }[] }).tags.map(({ name }) => name);
      expect(tags).toContain('health');
      for (const path of ['/health/live', '/health/ready']) {
        const operation = document.paths[path].get as Operation & { tags: string[] };
        expect(operation.tags).toEqual(['health']);
        expect(operation.responses['200'].content?.['application/json']?.schema).toBeDefined();
      }
      expect(
        document.paths['/health/ready'].get!.responses['503'].content?.['application/json']?.schema,
      ).toBeDefined();
    });
  });

  // Last: draining does not end.
  describe('every documented 5xx', () => {
    it('should be answered as documented: GET /health/ready while draining', async () => {
      const documented = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.entries(item).flatMap(([method, operation]) =>
          Object.keys(operation.responses)
            .filter((status) => status.startsWith('5'))
            .map((status) => `${method.toUpperCase()} ${path} ${status}`),
        ),
      );
      expect(documented).toEqual(['GET /health/ready 503']);
      const { schema } = document.paths['/health/ready'].get!.responses['503'].content![
        'application/json'
      ] as {
        schema: { required: string[]; properties: { status: { enum: string[] } } };
      };
      app.get(Draining).begin('SIGTERM');
      const response = await request(httpServer(app))
        .get('/health/ready')
        .expect(503)
        .expect('cache-control', 'no-store')
        .expect('content-type', 'application/json; charset=utf-8');
      const body = response.body as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(expect.arrayContaining(schema.required));
      expect(schema.properties.status.enum).toContain(body.status);
    });
  });
});

describe('The built service', () => {
  const workdir = () => mkdtempSync(join(tmpdir(), 'nest-jwt-auth-docs-'));

  it('should serve /docs and its assets (copied into dist) outside production', async () => {
    const cwd = workdir();
    const server = await startServer({ DATA_DIR: join(cwd, 'data') }, cwd);
    try {
      for (const path of ['/docs', '/docs/swagger-initializer.js', '/docs/openapi.json']) {
        expect({ path, status: (await fetch(`${server.url}${path}`)).status }).toEqual({ path, status: 200 });
      }
    } finally {
      await server.stop();
    }
  }, 60_000);

  it.each([
    ['in production by default', { NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET }],
    ['with DOCS_ENABLED=false', { DOCS_ENABLED: 'false' }],
  ])(
    'should serve no docs %s',
    async (_when, env) => {
      const cwd = workdir();
      const server = await startServer({ DATA_DIR: join(cwd, 'data'), HOST: '127.0.0.1', ...env }, cwd);
      try {
        for (const path of ['/docs', '/docs/openapi.json', '/docs/swagger-initializer.js']) {
          const response = await fetch(`${server.url}${path}`);
          expect({ path, status: response.status, body: await response.json() }).toEqual({
            path,
            status: 404,
            body: errorBody(404, 'Not Found', 'no such resource'),
          });
        }
      } finally {
        await server.stop();
      }
    },
    60_000,
  );
});
