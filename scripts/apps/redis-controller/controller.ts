/**
 * One run of a mode: look at every pod, plan, execute the plan, and look again, until a plan has nothing left to
 * do (the proof that the run converged: the same plan on a rerun is empty). A refusal the next look may lift (pods
 * not answering yet) is retried until REDIS_WAIT_SECONDS; any other refusal stops the run before a change.
 */
import { PlanRefused, describe, type Plan } from "./actions";
import { Connections, type TlsTrust } from "./client";
import { observe, type Layout } from "./observe";
import type { ClusterObservation } from "./observation";
import { planDrain } from "./planDrain";
import { planReconcile } from "./planReconcile";
import { execute } from "./runner";

export type Mode = "drain" | "reconcile";

/** Plans executed before the next look must find nothing to do; more means the cluster keeps changing under us. */
const MAX_ROUNDS = 4;
/** Bound on one command (a connection that hangs must not hang the Job). */
export const COMMAND_TIMEOUT_MS = 15_000;

export interface ControllerOptions {
  readonly password?: string;
  readonly log: (line: string) => void;
  readonly commandTimeoutMs?: number;
  /** redis.tls: every connection (and redis-cli's) over TLS, verified against this CA. */
  readonly tls?: TlsTrust;
}

const PLANNERS: Record<Mode, (o: ClusterObservation) => Plan> = { drain: planDrain, reconcile: planReconcile };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Observes and plans, retrying a retryable refusal until the wait bound; logs the refusal every 10 s. */
async function nextPlan(conn: Connections, layout: Layout, mode: Mode, log: (line: string) => void): Promise<Plan> {
  const deadline = Date.now() + layout.waitSeconds * 1000;
  let nextLog = Date.now() + 10_000;
  for (;;) {
    const obs = await observe(conn, layout, mode);
    try {
      return PLANNERS[mode](obs);
    } catch (e) {
      if (!(e instanceof PlanRefused) || !e.retryable || Date.now() >= deadline) throw e;
      if (Date.now() >= nextLog) {
        log(`waiting: ${e.message}`);
        nextLog = Date.now() + 10_000;
      }
      await sleep(1000);
    }
  }
}

export async function runController(mode: Mode, layout: Layout, options: ControllerOptions): Promise<void> {
  const { log } = options;
  const conn = new Connections({
    password: options.password,
    timeoutMs: options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS,
    tls: options.tls,
  });
  const ctx = { conn, layout, password: options.password, tls: options.tls, log };
  try {
    let removed = 0;
    /** Whether a step other than waiting ran: when none did, the cluster was already as wanted. */
    let changed = false;
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const plan = await nextPlan(conn, layout, mode, log);
      if (plan.actions.length === 0) {
        if (changed) log(done(mode, plan, removed));
        else plan.notes.slice(round === 1 ? 0 : -1).forEach((n) => log(n));
        return;
      }
      plan.notes.forEach((n) => log(n));
      for (const action of plan.actions) {
        log(describe(action));
        await execute(ctx, action);
        if (action.kind === "removeNode" || action.kind === "forget") removed++;
        changed ||= action.kind !== "wait";
      }
    }
    const last = await nextPlan(conn, layout, mode, log);
    throw new Error(
      `not converged after ${MAX_ROUNDS} plans; still to do: ${last.actions.map(describe).join("; ")} ` +
        `(${last.notes.join("; ")})`,
    );
  } finally {
    conn.close();
  }
}

/** The last line of a run that changed something. */
function done(mode: Mode, plan: Plan, removed: number): string {
  if (mode === "drain") {
    return `drained: ${removed} going node(s) removed; the StatefulSet may shrink`;
  }
  const converged = plan.notes.find((n) => n.startsWith("already converged"));
  return `done: ${converged?.replace(/^already converged, nothing to do: /, "") ?? plan.notes.join("; ")}`;
}
