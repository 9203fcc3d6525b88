// ESM jest setup: the @actions/* packages are ESM-only (see ../shared/research/RUNTIME.md §1).
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // The suite's caches (GOCACHE, GOMODCACHE with third-party sources) are not part of the project.
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.cache/'],
  // Hooks that build every target of a toolchain cold can take many minutes on 2 cores.
  testTimeout: 30 * 60_000,
  // Two test files at once: many wait on services, timeouts or emulators while another compiles.
  maxWorkers: 2,
  verbose: false,
  reporters: ['default', '<rootDir>/scripts/closing-line-reporter.cjs'],
};
