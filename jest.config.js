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
};
