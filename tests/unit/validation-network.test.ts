/**
 * Config validation rejects bad zones, networks and CIDRs open to the whole internet (infra/plan/validate.ts).
 * Cases: tests/unit/validation/network.ts; validation-regressions.test.ts checks all tables' cases are distinct.
 */
import { base, expectProblems, problemsOf } from "../helpers/validation";
import { NETWORK_CASES } from "./validation/network";

describe("invalid configs", () => {
  it.each(NETWORK_CASES)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
