/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }],
    // @vlasky/zongji is ESM-only (0.6+); jest's module system loads CommonJS, so its files are compiled to it.
    "/node_modules/@vlasky/zongji/.+\\.js$": [
      "@swc/jest",
      { jsc: { target: "es2022", parser: { syntax: "ecmascript" } }, module: { type: "commonjs" } },
    ],
  },
  transformIgnorePatterns: ["/node_modules/(?!@vlasky/zongji/)"],
  // Program tests load @pulumi/aws, which takes a few seconds on a cold cache.
  testTimeout: 60000,
  // On a 2-core machine jest runs every file inside its main process, one after another, and that heap only grows
  // (CI was killed at 24 GiB after 13 minutes). A memory limit makes jest use a worker process and start a new one
  // whenever a finished file leaves it above the limit. `--runInBand` (-i) bypasses it: jest then never uses workers.
  workerIdleMemoryLimit: "1GB",
};
