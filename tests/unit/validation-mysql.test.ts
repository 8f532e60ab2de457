/**
 * Config validation rejects bad MySQL data volumes and burstable instance types (infra/plan/validate.ts).
 * Cases: tests/unit/validation/mysql.ts; validation-regressions.test.ts checks all tables' cases are distinct.
 */
import { base, expectProblems, problemsOf } from "../helpers/validation";
import { MYSQL_CASES } from "./validation/mysql";

describe("invalid configs", () => {
  it.each(MYSQL_CASES)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
