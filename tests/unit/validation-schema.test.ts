/**
 * Config validation rejects shapes the schema refuses: unknown keys, wrong types, values out of range
 * (infra/config/schema.ts).
 * Cases: tests/unit/validation/schema.ts; validation-regressions.test.ts checks all tables' cases are distinct.
 */
import { base, expectProblems, problemsOf } from "../helpers/validation";
import { SCHEMA_CASES } from "./validation/schema";

describe("invalid configs", () => {
  it.each(SCHEMA_CASES)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
