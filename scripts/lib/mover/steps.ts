/**
 * What the mover does next, from the phase the operator asks for and the state its control row records. Pure: the
 * whole state machine of a move in one table (infra/contracts/slotMoves.ts describes the phases and states).
 */
import type { MovePhase, MoveState } from "../../../infra/contracts/slotMoves";

export type Step =
  /** Preflight, mark the target importing, record the start position. */
  | { kind: "start" }
  /** Copy what is left, follow the source's binlog, verify; switch when the phase asks and the move is ready. */
  | { kind: "follow"; switchWhenReady: boolean }
  /** A switch or reverse was under way when the mover stopped: finish or undo it. */
  | { kind: "recover"; direction: "forward" | "reverse" }
  /** After a switch: follow the target's binlog into the source; reverse when the phase asks and it is ready. */
  | { kind: "followReverse"; reverseWhenReady: boolean }
  | { kind: "cleanup" }
  | { kind: "cancel" }
  /** Nothing to do in this phase; `note` says what the operator may do next. */
  | { kind: "idle"; note: string }
  /** The phase cannot follow this state: the operator's edit is wrong. */
  | { kind: "refuse"; reason: string };

export function nextStep(id: number, phase: MovePhase, state: MoveState | undefined): Step {
  const refuse = (why: string): Step => ({ kind: "refuse", reason: `move ${id}: phase ${phase} ${why}` });
  switch (state) {
    case undefined:
      if (phase === "copy" || phase === "switch") return { kind: "start" };
      if (phase === "cancel") return { kind: "idle", note: `move ${id} never started; remove it from the config` };
      return refuse("needs a switched move; this one never started (set phase copy)");
    case "preflight":
      if (phase === "cancel") return { kind: "cancel" };
      if (phase === "copy" || phase === "switch") return { kind: "start" };
      return refuse("needs a switched move; this one is starting (set phase copy, then switch)");
    case "copying":
    case "streaming":
      if (phase === "copy" || phase === "switch") return { kind: "follow", switchWhenReady: phase === "switch" };
      if (phase === "cancel") return { kind: "cancel" };
      return refuse(`needs a switched move; this one is ${state} (set phase switch first)`);
    case "switching":
      return { kind: "recover", direction: "forward" };
    case "reversing":
      return { kind: "recover", direction: "reverse" };
    case "switched":
      if (phase === "switch" || phase === "reverse")
        return { kind: "followReverse", reverseWhenReady: phase === "reverse" };
      if (phase === "cleanup") return { kind: "cleanup" };
      return refuse("comes too late: the range is switched to the target (reverse it first, then cancel)");
    case "reversed":
      if (phase === "cancel") return { kind: "cancel" };
      if (phase === "reverse")
        return { kind: "idle", note: `move ${id} is reversed; set phase cancel to empty the target` };
      return refuse("is not possible after a reverse: cancel this move, and start a new one with a new id");
    case "cleaning":
      return phase === "cleanup"
        ? { kind: "cleanup" }
        : refuse("comes too late: cleanup has begun deleting the source's rows; set phase cleanup to finish it");
    case "cleaned":
      return phase === "cleanup"
        ? { kind: "idle", note: `move ${id} is complete; remove it from the config` }
        : refuse("comes too late: the move is complete; set phase cleanup back, then remove the move from the config");
    case "cancelling":
      return phase === "cancel"
        ? { kind: "cancel" }
        : refuse("comes too late: cancel has begun emptying the target; set phase cancel to finish it");
    case "cancelled":
      return phase === "cancel"
        ? { kind: "idle", note: `move ${id} is cancelled; remove it from the config` }
        : refuse("comes too late: the move is cancelled; set phase cancel back, then start a new move with a new id");
  }
}
