/**
 * Config validation rejects bad hosts, my.cnf overrides, converge modes, bastions, images and node types.
 * Cases: tests/unit/validation/hosts.ts; validation-regressions.test.ts checks all tables' cases are distinct.
 */
import { base, expectProblems, problemsOf } from "../helpers/validation";
import { HOST_CASES } from "./validation/hosts";

describe("invalid configs", () => {
  it.each(HOST_CASES)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
