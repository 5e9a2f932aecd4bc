// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { HTTP_EDGE, httpExceptionSelector } from './eslint.errors.mjs';
import { layerRules } from './eslint.layers.mjs';

// Nest's built-in pipes answer in their own words ("Validation failed (uuid v 4 is expected)"),
// which the error filter passes on as they are: the API's errors name the field instead.
const builtInPipes = {
  selector:
    "ImportDeclaration[source.value='@nestjs/common'] > ImportSpecifier[imported.name=/^(Parse\\w*Pipe|ParseFilePipeBuilder|ValidationPipe)$/]",
  message:
    "Nest's built-in pipes word their errors themselves: use the pipes of src/common/pipes/ (UuidPipe, the global JsonBodyValidationPipe).",
};

export default tseslint.config(
  {
    // The examples' own builds and installs (examples/*/README.md) are output, like dist/.
    ignores: ['dist/', 'coverage/', 'data/', 'node_modules/', 'examples/*/dist/', 'examples/*/node_modules/'],
  },
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
    files: ['src/**/*.ts'],
    ignores: ['src/common/pipes/json-body-validation.pipe.ts'],
    rules: { 'no-restricted-syntax': ['error', builtInPipes] },
  },
  {
    // Below the HTTP edge, failures are DomainErrors (eslint.errors.mjs); the pipes rule again,
    // since a later block's options replace an earlier one's.
    files: ['src/**/*.ts'],
    ignores: HTTP_EDGE,
    rules: { 'no-restricted-syntax': ['error', builtInPipes, httpExceptionSelector] },
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
