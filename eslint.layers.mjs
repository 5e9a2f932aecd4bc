// @ts-check
// The import direction between the folders of src/, enforced by eslint.config.js and checked by
// test/unit/layers.spec.ts; docs/architecture.md's layer table must say the same
// (test/unit/architecture-doc.spec.ts). No imports, so the tests can load it without ESLint's plugins.

/**
 * Which folders of src/ each folder may import from: arrows point down (docs/architecture.md).
 * Features use the base and the features listed; the base uses no feature. The composition roots
 * (src/*.ts, src/cli/) may import anything, and nothing imports them.
 */
export const LAYERS = {
  auth: [
    'users',
    'sessions',
    'throttling',
    'keys',
    'mfa',
    'passkeys',
    'common',
    'config',
    'database',
    'logging',
    'metrics',
    'docs',
    'redis',
  ],
  admin: ['users', 'sessions', 'audit', 'common', 'config', 'database', 'logging', 'docs', 'redis'],
  audit: ['common', 'config', 'database', 'logging'],
  mfa: [
    'users',
    'sessions',
    'throttling',
    'common',
    'config',
    'database',
    'logging',
    'metrics',
    'docs',
    'redis',
  ],
  passkeys: ['users', 'throttling', 'common', 'config', 'database', 'logging', 'docs'],
  keys: ['common', 'config', 'database', 'logging', 'docs', 'redis'],
  users: [
    'sessions',
    'mail',
    'throttling',
    'common',
    'config',
    'database',
    'logging',
    'metrics',
    'docs',
    'redis',
    'tracing',
  ],
  sessions: ['common', 'config', 'database', 'logging', 'metrics', 'docs', 'redis'],
  throttling: ['common', 'config', 'logging', 'metrics', 'docs', 'redis'],
  pages: ['common', 'config'],
  health: ['common', 'config', 'database', 'logging', 'docs'],
  docs: ['common'],
  database: ['config', 'common', 'tracing'],
  logging: ['config'],
  tracing: ['config'],
  // Base, next to logging/: features record into it; it knows none of them.
  metrics: ['config'],
  // Base: the durable outbox and its worker; features queue mail through it.
  mail: ['config', 'common', 'database', 'logging', 'metrics'],
  redis: ['config', 'common', 'logging', 'metrics', 'tracing'],
  common: [],
  config: ['common'],
};
const FOLDERS = [...Object.keys(LAYERS), 'cli'];
export const ROOTS = ['app.module', 'http-app', 'main', 'startup-logger'];

/** One no-restricted-imports block per folder, naming what it may import when it breaks the rule. */
export const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => {
  const forbidden = FOLDERS.filter((other) => other !== folder && !allowed.includes(other));
  const rule =
    allowed.length === 0
      ? `src/${folder}/ imports no other folder of src/`
      : `src/${folder}/ may import only from ${allowed.map((name) => `${name}/`).join(', ')}`;
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // A relative path that climbs out of the folder and into a forbidden one.
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `${rule}: arrows point down (docs/architecture.md).`,
            },
            {
              regex: `^(\\.\\./)+(${ROOTS.join('|')})(\\.js)?$`,
              message: `src/${folder}/ must not import a composition root (src/*.ts): they import it.`,
            },
          ],
        },
      ],
    },
  };
});
