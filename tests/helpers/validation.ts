/**
 * Helpers of the config-validation tests (tests/unit/validation-*.test.ts): parse a raw config and read its
 * problems or topology, build the flat map Pulumi passes, and the shape and shared wording of the invalid-config
 * tables (tests/unit/validation/*.ts).
 *
 * Problems are compared as the formatted `path: message` strings an operator sees, in full, so a change of
 * wording, path or shown value fails a test. Every list is compared with toEqual: no problem may be missing
 * and none may be added.
 */
import { ConfigError, formatProblem } from "../../infra/config/errors";
import { parseStackConfig } from "../../infra/plan/load";
import type { StackConfig } from "../../infra/config/schema";
import { RawConfig, validDev, validProd } from "./configs";

/** The formatted problems of a raw config; [] when it parses. */
export function problemsOf(raw: RawConfig, stack: string): string[] {
  const result = parseStackConfig(raw, stack);
  return result.ok ? [] : result.problems.map(formatProblem);
}

/** The topology of a raw config that must parse. */
export function topologyOf(raw: RawConfig, stack: string): StackConfig {
  const result = parseStackConfig(raw, stack);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.map(formatProblem).join("\n")}`);
  return result.topology;
}

/** The flat map the Pulumi engine passes: `gamedb:` keys, structured values as JSON text. */
export function configMap(raw: RawConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      `gamedb:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** The ConfigError that `f` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError, nothing was thrown");
}

/** Expected problems: an exact string, or a pattern where the correct wording is not fixed yet. */
export type Expected = string | RegExp;

/** Asserts `actual` is exactly `expected`, in order; a pattern matches one problem. */
export function expectProblems(actual: string[], expected: readonly Expected[]): void {
  expect(actual).toEqual(expected.map((e) => (typeof e === "string" ? e : expect.stringMatching(e))));
}

/** One row of an invalid-config table: a valid config, one mutation, and every problem it must report. */
export interface InvalidCase {
  name: string;
  /** "dev" starts from validDev(), "prod" from validProd(); the stack name is passed to parseStackConfig. */
  stack: "dev" | "prod";
  mutate: (raw: RawConfig) => void;
  /** Every problem, formatted, in the order they are reported. */
  expected: Expected[];
}

/** A fresh valid config of the stack: validProd() for "prod", validDev() for "dev". */
export function base(stack: "dev" | "prod"): RawConfig {
  return stack === "prod" ? validProd() : validDev();
}

/** The message of a CIDR that covers the whole address space. */
export const WHOLE_INTERNET = "opens database and SSH ports to the whole internet; list the networks that need access";
/** The message of a burstable instance type in prod. */
export const BURSTABLE =
  "burstable instances throttle a database under sustained load; use e.g. r6i, m6i or r7i in prod";
/** The tail of every slot-coverage message. */
export const EVERY_SLOT = "every slot 0-16383 must be owned by exactly one active shard";
/** The tail of a placement that puts a majority of a shard's members in one zone. */
export const QUORUM =
  "so losing that zone loses quorum; list at least 3 zones in gamedb:aws.availabilityZones or pin nodes[].az";
/** The keys a shard entry allows, as an unknown-key message lists them. */
export const SHARD_KEYS = "id, name, nodes, state, slots";
