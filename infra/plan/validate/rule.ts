import type { Problem } from "../../config/errors";
import type { StackConfig } from "../../config/schema";

/** A rule: a pure function from the schema-checked topology to problems. */
export type Check = (t: StackConfig) => Problem[];
export type Section = keyof StackConfig;
/** A rule reads some sections; it runs whenever those parsed, even if others did not. */
export interface Rule {
  reads: readonly Section[];
  check: Check;
}
