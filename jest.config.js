/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Jest's default is one worker fewer than the cores, which on CI's 2 cores is one: every file
  // then runs in band, in jest's own process, and the second core idles. The files are CPU-bound
  // (planning stacks under the mocks, bundling, spawning the CLI) and jest's own process only
  // gathers results: one worker per core.
  maxWorkers: "100%",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // A floor for every test on a busy 2-core machine (jest's default is 5 s); tests that wait on
  // processes set their own, larger timeouts.
  testTimeout: 30_000,
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.dev.json" }],
  },
  // The portal's built assets, which functions/build.ts hands the function bundles as modules.
  moduleNameMapper: {
    "^portal-assets:manifest$": "<rootDir>/tests/helpers/portal-manifest.ts",
    "^portal-assets:stylesheet$": "<rootDir>/tests/helpers/portal-stylesheet.ts",
  },
  setupFiles: ["<rootDir>/tests/setup-env.ts"],
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
