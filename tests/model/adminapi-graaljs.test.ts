/**
 * Every AdminAPI script test of adminapi.test.ts again, against the model of MySQL Shell 8.4.8: from 8.4.4 Shell runs
 * JavaScript on GraalJS and a failed call throws Error(message, {cause: {code, ...}}) instead of the error object
 * with its code (tests/model/adminapi/errors.ts asThrown). adminapi.test.ts itself runs against 8.4.3.
 */
import { modelShellVersion } from "./adminapi";

modelShellVersion("8.4.8");
// Loaded after the release is set (an import would be hoisted above it); its describe blocks register here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("./adminapi.test");
