/** Jest 30 + ts-jest in ESM mode: NestJS 12 is ESM-only. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // test/bench/ holds the benchmark (npm run bench): plain scripts, never a timed unit test.
  testPathIgnorePatterns: ['/node_modules/', '/test/fixtures/', '/test/bench/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 20000,
  setupFiles: ['<rootDir>/test/support/log-levels.ts'],
  // Jest's default is one worker on a 2-core machine; the pack test mostly waits on npm, so use both cores.
  maxWorkers: 2,
};
