import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { HTTP_EDGE, HTTP_EXCEPTION_MESSAGE, httpExceptionSelector } from '../../eslint.errors.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
// Only this rule, on espree, as eslint.config.js applies it: the files below the HTTP edge.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [
    // Every file of src/ is linted; the edge's are linted without the rule.
    { files: ['src/**/*.ts'] },
    {
      files: ['src/**/*.ts'],
      ignores: HTTP_EDGE,
      rules: { 'no-restricted-syntax': ['error', httpExceptionSelector] },
    },
  ],
});

/** The messages ESLint gives `source` as if it were the file src/<path>. */
async function lint(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, 'src', path) });
  return result.messages.map(({ ruleId, message }) => `${ruleId}: ${message}`);
}

const throwing = (exception: string, from = '@nestjs/common') => `import { ${exception} } from '${from}';

export class ProbeService {
  find() {
    throw new ${exception}('user not found');
  }
}
`;

describe('HTTP exceptions only at the edge (eslint.errors.mjs)', () => {
  it('should refuse a service that throws an HTTP exception, with the rule naming the way out', async () => {
    await expect(lint('users/probe.service.ts', throwing('NotFoundException'))).resolves.toEqual([
      `no-restricted-syntax: ${HTTP_EXCEPTION_MESSAGE}`,
    ]);
  });

  it.each([
    ['users/probe.service.ts', 'HttpException'],
    ['mfa/probe.service.ts', 'ConflictException'],
    ['users/users.repository.ts', 'BadRequestException'],
    ['throttling/login-attempts.ts', 'ForbiddenException'],
    ['keys/nested/probe.ts', 'ServiceUnavailableException'],
    ['cli/users.commands.ts', 'ConflictException'],
  ])('should refuse, in src/%s, an import of %s', async (path, exception) => {
    await expect(lint(path, throwing(exception))).resolves.toHaveLength(1);
  });

  it('should refuse an HTTP exception class of our own below the edge, and a renamed import', async () => {
    await expect(
      lint('auth/auth.service.ts', throwing('BearerChallengeException', './bearer-challenge.exception.js')),
    ).resolves.toHaveLength(1);
    await expect(
      lint('users/probe.service.ts', "import { NotFoundException as Missing } from '@nestjs/common';\n"),
    ).resolves.toHaveLength(1);
  });

  it.each([
    'users/users.controller.ts',
    'auth/guards/jwt-auth.guard.ts',
    'common/pipes/uuid.pipe.ts',
    'common/filters/http-error.filter.ts',
    'docs/api-error-responses.decorator.ts',
    'common/http/request-head.ts',
  ])('should allow HTTP exceptions at the edge: src/%s', async (path) => {
    await expect(lint(path, throwing('BadRequestException'))).resolves.toEqual([]);
  });

  it('should allow a service its domain errors', async () => {
    const source = `import { NotFoundError } from '../common/errors/domain-error.js';
export class ProbeService {
  find() {
    throw new NotFoundError('user not found');
  }
}
`;
    await expect(lint('users/probe.service.ts', source)).resolves.toEqual([]);
  });
});
