// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Which folders of src/ each folder may import from: arrows point down (docs/architecture.md).
 * Features use the base and the features listed; the base uses no feature. The composition roots
 * (src/*.ts, src/cli/) may import anything, and nothing imports them.
 */
const LAYERS = {
  auth: ['users', 'sessions', 'throttling', 'common', 'config', 'database', 'logging', 'docs'],
  users: ['sessions', 'throttling', 'common', 'config', 'database', 'logging', 'docs'],
  sessions: ['common', 'config', 'database', 'logging', 'docs'],
  throttling: ['common', 'config', 'logging', 'docs'],
  pages: ['common', 'config'],
  docs: ['common'],
  database: ['config'],
  logging: ['config'],
  common: [],
  config: [],
};
const FOLDERS = [...Object.keys(LAYERS), 'cli'];
const ROOTS = ['app.module', 'http-app', 'main', 'startup-logger'];

/** One no-restricted-imports block per folder, naming what it may import when it breaks the rule. */
const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => {
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

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'data/', 'node_modules/'] },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  ...layerRules,
  {
    // The environment is read once, in src/config/ (loadEnv), and handed to what needs it.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through ConfigService or the Env from loadEnv() (src/config/).',
        },
      ],
    },
  },
  {
    // supertest bodies and jest's asymmetric matchers (expect.any) are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['client/**/*.js', 'src/docs/ui/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['*.js', '*.mjs', 'scripts/**/*.mjs', 'bench/**/*.mjs', '.ci/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
    },
  },
  prettier,
);
