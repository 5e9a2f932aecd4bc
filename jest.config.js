// Jest runs in its native ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by the npm
// scripts) and compiles TypeScript with swc. decoratorMetadata is what makes Nest's constructor
// injection work under swc. See docs/testing.md.
const swc = (type) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type },
  },
];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': swc('es6'),
    // ESM-only packages that a CommonJS dependency require()s (@fastify/static -> content-disposition,
    // @apidevtools/swagger-parser -> json-schema-ref-parser).
    'node_modules/(content-disposition|@apidevtools/json-schema-ref-parser)/.+\\.js$': swc('commonjs'),
  },
  transformIgnorePatterns: ['node_modules/(?!content-disposition/|@apidevtools/json-schema-ref-parser/)'],
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/support/e2e-env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
    {
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      setupFiles: ['<rootDir>/test/support/e2e-env.ts'],
    },
  ],
  // TEST_DATABASE=postgres (npm run test:postgres): a database per test file, dropped at the end.
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  collectCoverageFrom: ['src/**/*.ts', '!src/main.ts'],
};
