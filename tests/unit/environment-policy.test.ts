/** The environment's protection and recovery decisions, made once in the plan (infra/plan/environmentPolicy.ts). */
import { environmentPolicy } from "../../infra/plan/environmentPolicy";
import { createOptions } from "../../infra/mysql/clusterParams";

describe("environmentPolicy", () => {
  it.each([
    ["prod", { protectData: true, autoRejoinTries: 3, flowLogRetentionDays: 365 }],
    ["dev", { protectData: false, autoRejoinTries: 1, flowLogRetentionDays: 30 }],
  ] as const)("%s", (env, expected) => {
    expect(environmentPolicy(env)).toEqual(expected);
    expect(createOptions(environmentPolicy(env)).autoRejoinTries).toBe(expected.autoRejoinTries);
  });
});
