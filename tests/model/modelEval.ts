/** Runs a few lines of JavaScript against the AdminAPI model's globals, as a script would, for tests of the model. */
import * as vm from "vm";
import { Fleet, ModelApi } from "./adminapi";

export interface EvalResult {
  value?: unknown;
  error?: string;
  /** The thrown error's code, in either shape a Shell release throws (e.code, or e.cause.code from 8.4.4). */
  code?: number;
  /** What the code printed (println, and the model's Shell messages). */
  output: string;
}

/** Evaluates `code` on `local` (where the local socket leads), against the model of Shell `shell`. */
export function evalIn(fleet: Fleet, local: string, shell: string, code: string, globals = {}): EvalResult {
  const output: string[] = [];
  const api = new ModelApi({
    fleet,
    localAddress: local,
    files: new Map(),
    argv: [],
    shellVersion: shell,
    calls: [],
    output,
  });
  const ctx = vm.createContext({ ...api.globals(), ...globals });
  try {
    const value: unknown = new vm.Script(code).runInContext(ctx);
    return { value, output: output.join("\n") };
  } catch (e) {
    const err = e as { message?: string; code?: number; cause?: { code?: number } };
    return { error: String(err.message), code: err.code ?? err.cause?.code, output: output.join("\n") };
  }
}

/** `shell.connect(...)` to `address` as `admin` over TCP, as JavaScript text. */
export function connectAs(address: string, admin: { user: string; password: string }): string {
  const [host, port] = address.split(":");
  return `shell.connect({scheme: "mysql", host: "${host}", port: ${port}, user: "${admin.user}", password: "${admin.password}"});`;
}
