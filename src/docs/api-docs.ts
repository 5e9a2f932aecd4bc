import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
// Nest's own serializer behind app.useSecurityHeaders(), so the docs page's policy is written
// exactly as the other pages' is (exported by @nestjs/core's package.json, not its index).
import { serializeContentSecurityPolicy } from '@nestjs/core/security/security-headers.js';

const DOCS_PATH = '/docs';
const OPENAPI_PATH = `${DOCS_PATH}/openapi.json`;

/** The name of the security scheme every route needs unless it is @Public(). */
const BEARER_SCHEME = 'bearer';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** The page and its initializer: src/docs/ui, copied to dist/docs/ui by nest build (nest-cli.json). */
const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), 'ui');
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
/** What the page loads from swagger-ui-dist; the rest of the package (a demo page among it) stays unserved. */
const SWAGGER_UI_FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

type Policy = Record<string, string[]>;

/** The parts of an OpenAPI operation read here (@nestjs/swagger does not export its types). */
interface Operation {
  security?: object[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
}

/**
 * The OpenAPI document of every controller route, from the decorators on the controllers and
 * DTOs. Every operation needs a bearer token unless its handler or controller is @Public().
 */
export function createOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('nest-jwt-auth')
    .setDescription(
      'JWT authentication: log in for an access token (a JWT, 15 minutes by default) and a ' +
        'refresh token, call the API with `Authorization: Bearer <token>`, refresh, log out. ' +
        'Every error is `{statusCode, error, message}` with `Cache-Control: no-store`; readiness answers ' +
        "its 503 in the same body as its 200 (@nestjs/terminus').",
    )
    .setVersion(version)
    .addTag('auth', 'Log in, refresh, log out.')
    .addTag('users', 'The caller, their password, sign-up.')
    .addTag('sessions', "The caller's sessions (one per login).")
    .addTag('health', 'Probes for load balancers and orchestrators: liveness and readiness.')
    .addTag(
      'keys',
      'The public keys access tokens are signed with (JWKS), for other services to verify them.',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `token` from POST /login.' },
      BEARER_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Operation[]) {
      closeRequestBody(document, operation);
      // @Public() records the requirement {} (no credentials): @nestjs/swagger drops an empty
      // list. An empty list is how OpenAPI lifts a document-wide requirement, so say it that way.
      const security = operation.security;
      if (security?.length === 1 && Object.keys(security[0]).length === 0) {
        security.length = 0;
      }
    }
  }
  return document;
}

/**
 * JsonBodyValidationPipe refuses a property a body DTO does not declare (forbidNonWhitelisted), for
 * every body: said here once, for every request body schema, so no DTO can leave it out.
 */
function closeRequestBody(document: OpenAPIObject, operation: Operation): void {
  const ref = operation.requestBody?.content?.['application/json']?.schema?.$ref;
  const schema = ref === undefined ? undefined : document.components?.schemas?.[ref.split('/').pop()!];
  if (schema !== undefined) {
    (schema as { additionalProperties?: boolean }).additionalProperties = false;
  }
}

/**
 * Serves the document at /docs/openapi.json and Swagger UI at /docs, its assets from the
 * swagger-ui-dist package. Not SwaggerModule.setup(): its page holds inline styles and its
 * initializer inlines the document, where this page is two files that run under the service's
 * own Content-Security-Policy (`pagePolicy`), with one addition: Swagger UI's stylesheet draws
 * its icons as data: images.
 */
export async function setupApiDocs(app: NestFastifyApplication, pagePolicy: Policy): Promise<void> {
  const document = JSON.stringify(createOpenApiDocument(app));
  const page = readFileSync(join(UI_DIR, 'index.html'));
  const directives = { ...pagePolicy, imgSrc: [...(pagePolicy.imgSrc ?? ["'self'"]), 'data:'] };
  // Replaces the header the security hook (app.useSecurityHeaders) wrote, for this page only.
  const policy = serializeContentSecurityPolicy({ useDefaults: false, directives });
  await app.register(async (docs: FastifyInstance) => {
    docs.get(DOCS_PATH, (_, reply) =>
      reply.header('Content-Security-Policy', policy).type('text/html; charset=utf-8').send(page),
    );
    docs.get(OPENAPI_PATH, (_, reply) => reply.type('application/json; charset=utf-8').send(document));
    await docs.register(fastifyStatic, {
      root: UI_DIR,
      prefix: `${DOCS_PATH}/`,
      decorateReply: false,
      index: false,
      allowedPath: (path) => path === '/swagger-initializer.js',
    });
    await docs.register(fastifyStatic, {
      root: SWAGGER_UI_DIR,
      prefix: `${DOCS_PATH}/swagger-ui/`,
      decorateReply: false,
      index: false,
      allowedPath: (path) => SWAGGER_UI_FILES.has(path),
    });
  });
}
