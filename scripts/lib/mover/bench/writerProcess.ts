/**
 * The switch benchmark's writers in a process of their own, as a game server is: the mover's work in the bench
 * process (binlog decoding, checksums) must not hold up the writers' event loop, or their view of the pause would
 * include the mover's stalls. One child serves every switch: `start` a load, `stop` it and get its WriterResult.
 *
 * The child is this file run with tsx's loader (node --import tsx); the parent's side is startWriterProcess.
 */
import { ChildProcess, fork } from "node:child_process";
import * as mysql from "mysql2/promise";
import { WriterResult, startWriters } from "./writers";

interface StartMessage {
  kind: "start";
  ids: bigint[];
  writers: number;
  owner: number;
  /** Each shard's stand-in port (root, no password: private to this user, on loopback). */
  ports: Record<number, number>;
  database: string;
}
type ToChild = StartMessage | { kind: "stop" } | { kind: "exit" };
type FromChild = { kind: "started" } | { kind: "result"; result: WriterResult } | { kind: "error"; message: string };

export interface WriterProcess {
  /** Starts a load; resolves once the child has it running. */
  start(load: Omit<StartMessage, "kind">): Promise<void>;
  /** Stops the load; resolves with what the writers saw. */
  stop(): Promise<WriterResult>;
  close(): Promise<void>;
}

/** Forks the writer process (the bench runs under tsx; the child loads TypeScript the same way). */
export function startWriterProcess(): WriterProcess {
  const child: ChildProcess = fork(__filename, [], {
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  const reply = <K extends FromChild["kind"]>(kind: K) =>
    new Promise<Extract<FromChild, { kind: K }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the writer process exited (code ${code})`));
      const onMessage = (m: FromChild) => {
        child.off("exit", onExit);
        child.off("message", onMessage);
        if (m.kind === "error") reject(new Error(`writer process: ${m.message}`));
        else if (m.kind !== kind) reject(new Error(`writer process: ${m.kind} where ${kind} was expected`));
        else resolve(m as Extract<FromChild, { kind: K }>);
      };
      child.once("exit", onExit);
      child.on("message", onMessage);
    });
  const send = (m: ToChild) => child.send(m);
  return {
    async start(load) {
      const started = reply("started");
      send({ kind: "start", ...load });
      await started;
    },
    async stop() {
      const result = reply("result");
      send({ kind: "stop" });
      return (await result).result;
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      send({ kind: "exit" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The child: one load at a time, answered on the IPC channel. */
function serve(): void {
  let load: ReturnType<typeof startWriters> | undefined;
  const answer = (m: FromChild) => process.send!(m);
  process.on("message", (m: ToChild) => {
    void (async () => {
      try {
        if (m.kind === "start") {
          if (load) throw new Error("a load is already running");
          load = startWriters({
            ids: m.ids,
            writers: m.writers,
            owner: m.owner,
            preconnect: Object.keys(m.ports).map(Number),
            connect: (shard) => {
              const port = m.ports[shard];
              if (port === undefined) throw new Error(`no port for shard ${shard}`);
              return mysql.createConnection({ host: "127.0.0.1", port, user: "root", database: m.database });
            },
          });
          answer({ kind: "started" });
        } else if (m.kind === "stop") {
          const running = load;
          load = undefined;
          if (!running) throw new Error("no load is running");
          answer({ kind: "result", result: await running.stop() });
        } else {
          await load?.stop().catch(() => undefined);
          process.disconnect();
        }
      } catch (e) {
        answer({ kind: "error", message: (e as Error).message });
      }
    })();
  });
  // The parent gone (killed, or disconnected after exit): nothing left to do.
  process.once("disconnect", () => process.exit(0));
}

if (require.main === module) serve();
