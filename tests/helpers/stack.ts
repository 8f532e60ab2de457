/** Builds the StackConfig the offline plan evaluates from raw `gamedb:` values (without the namespace). */
import type { StackConfig } from "../../scripts/lib/stackFile";

export function stackOf(raw: Record<string, unknown>, stack: string): StackConfig {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw))
    config[`gamedb:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return { project: "gamedb", stack, config, secretKeys: [] };
}
