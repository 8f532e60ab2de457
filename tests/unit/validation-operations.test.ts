/**
 * Config validation rejects too little availability, bad backup lifecycles, snapshots and restore
 * verification, and bad monitoring settings.
 * Cases: tests/unit/validation/operations.ts; validation-regressions.test.ts checks all tables' cases are distinct.
 */
import { base, expectProblems, problemsOf } from "../helpers/validation";
import { OPERATIONS_CASES } from "./validation/operations";

describe("invalid configs", () => {
  it.each(OPERATIONS_CASES)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
