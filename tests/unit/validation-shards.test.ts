/**
 * Config validation rejects duplicate shard ids and names, bad node counts, quorum-losing placement and slot
 * gaps or overlaps (infra/plan/validate.ts).
 * Cases: tests/unit/validation/shards.ts; validation-regressions.test.ts checks all tables' cases are distinct.
 */
import { base, expectProblems, problemsOf } from "../helpers/validation";
import { SHARD_CASES } from "./validation/shards";

describe("invalid configs", () => {
  it.each(SHARD_CASES)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
