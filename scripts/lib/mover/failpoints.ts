/**
 * Crash points for the resume tests: when GAMEDB_MOVER_FAILPOINT names one, the process kills itself there with
 * SIGKILL, as a node loss would (no finally blocks, no unfreeze). Unset in every deployment; the Deployment's
 * environment never sets it (infra/moves). The names are the moments a crash is hardest on the protocol.
 */
export const FAILPOINTS = ["switch-frozen", "switch-claimed"] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

export function failpoint(name: Failpoint): void {
  if (process.env.GAMEDB_MOVER_FAILPOINT === name) process.kill(process.pid, "SIGKILL");
}
