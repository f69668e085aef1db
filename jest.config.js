/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.dev.json" }],
  },
  setupFiles: ["<rootDir>/tests/setup-env.ts"],
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
