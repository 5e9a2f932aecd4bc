// @ts-check
// Where HTTP exceptions may appear, enforced by eslint.config.js and checked by
// test/unit/http-exceptions.spec.ts. No imports, so the test can load it without ESLint's plugins.

/**
 * The HTTP edge: the only files that may name an HTTP exception. Everything below them throws a
 * DomainError (src/common/errors/), which HttpErrorFilter maps to the JSON error and the CLI to
 * its exit code (docs/architecture.md).
 */
export const HTTP_EDGE = [
  'src/**/*.controller.ts',
  'src/**/*.guard.ts',
  'src/**/*.pipe.ts',
  'src/**/*.filter.ts',
  'src/**/*.decorator.ts',
  // HTTP exception classes the edge throws (a 401's challenge, a 405's Allow).
  'src/**/*.exception.ts',
  // Fastify's own hooks, before any route: the request head, the body parser.
  'src/common/http/**',
  // Composition roots.
  'src/*.ts',
  // Terminus answers a failed check with its own ServiceUnavailableException: read here, never thrown.
  'src/health/readiness.service.ts',
];

export const HTTP_EXCEPTION_MESSAGE =
  'HTTP exceptions belong to controllers, guards, pipes and filters: throw a DomainError ' +
  '(src/common/errors/domain-error.ts) and let the exception filter map it (docs/architecture.md).';

/** Any import named `...Exception` (Nest's HttpException and its built-in subclasses, or ours). */
export const httpExceptionSelector = {
  selector: 'ImportDeclaration > ImportSpecifier[imported.name=/Exception$/]',
  message: HTTP_EXCEPTION_MESSAGE,
};
