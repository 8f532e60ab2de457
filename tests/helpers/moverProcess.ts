/**
 * The mover as its image runs it, in a child process (tsx scripts/apps/mover/main.ts run), so a test can SIGKILL it
 * mid-copy or let a failpoint (scripts/lib/mover/failpoints.ts) kill it mid-switch, and start it again.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { MoveSpec, MoveStatus } from "../../infra/contracts/slotMoves";
import { freePort } from "../../scripts/lib/standins/mariadb";

const ROOT = path.resolve(__dirname, "../..");

export interface MoverProcess {
  child: ChildProcess;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  status(): Promise<MoveStatus | undefined>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startMoverProcess(
  spec: MoveSpec,
  secrets: Record<string, string>,
  env: Record<string, string> = {},
): Promise<MoverProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-mover-"));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, "move.json"), JSON.stringify({ ...spec, statusPort: port }));
  fs.writeFileSync(path.join(dir, "passwords.json"), JSON.stringify(secrets), { mode: 0o600 });
  // node itself with tsx as a loader (not the tsx CLI, which runs the program in a child): a SIGKILL hits the mover.
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/apps/mover/main.ts",
      "run",
      "--spec",
      path.join(dir, "move.json"),
      "--secrets",
      path.join(dir, "passwords.json"),
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on("exit", (code, signal) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(code ?? signal);
    }),
  );
  return {
    child,
    exited,
    output: () => log,
    async status() {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/status`);
        return res.ok ? ((await res.json()) as MoveStatus) : undefined;
      } catch {
        return undefined;
      }
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Polls the process's /status until `ok` holds (or the process dies, or the time is up). */
export async function untilStatus(
  p: MoverProcess,
  what: string,
  ok: (s: MoveStatus) => boolean,
  timeoutMs = 60_000,
): Promise<MoveStatus> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await p.status();
    if (s && ok(s)) return s;
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(`the mover exited while waiting for ${what}:\n${p.output().slice(-3000)}`);
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; last status ${JSON.stringify(s)}\n${p.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
