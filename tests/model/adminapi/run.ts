/**
 * Runs a gamedb AdminAPI script (the same text infra/mysql/adminapi sends to hosts) under Node's `vm` module against
 * the MODEL of the AdminAPI (./api.ts) over a model fleet (./fleet.ts). Not MySQL Shell: a test harness.
 */
import * as vm from "vm";
import { adminApiScript, AdminApiScriptName } from "../../../infra/mysql/adminapi";
import { ApiCall, ModelApi } from "./api";
import { Fleet } from "./fleet";
import { MODEL_SHELL_VERSIONS } from "./errors";

let defaultShellVersion: string = MODEL_SHELL_VERSIONS[0];

/**
 * The Shell release runAdminApi imitates when a call does not name one. A test file that runs a whole suite against
 * another release sets it before the suite's tests run.
 */
export function modelShellVersion(version?: string): string {
  if (version !== undefined) {
    if (!(MODEL_SHELL_VERSIONS as readonly string[]).includes(version))
      throw new Error(`model: no Shell release ${version}; modelled: ${MODEL_SHELL_VERSIONS.join(", ")}`);
    defaultShellVersion = version;
  }
  return defaultShellVersion;
}

export interface RunResult {
  calls: ApiCall[];
  /** What the script printed (println), one line per call, joined with "\n". */
  output: string;
  /** The message of the error the script ended with (mysqlsh would exit non-zero), if any. */
  error?: string;
}

const PARAMS_PATH = "/dev/shm/gamedb.model/params.json";
const SECRETS_PATH = "/dev/shm/gamedb.model/secrets.json";
const SCRIPT_PATH = "/dev/shm/gamedb.model/script.js";

/**
 * Runs `scriptName` as `mysqlsh --js -f script.js params.json secrets.json` would on `host` ("host:3306": the
 * instance the local socket leads to).
 */
export function runAdminApi(
  fleet: Fleet,
  host: string,
  scriptName: AdminApiScriptName,
  params: unknown,
  secrets: unknown,
  shellVersion: string = modelShellVersion(),
): RunResult {
  const calls: ApiCall[] = [];
  const output: string[] = [];
  const api = new ModelApi({
    fleet,
    localAddress: host,
    files: new Map([
      [PARAMS_PATH, JSON.stringify(params)],
      [SECRETS_PATH, JSON.stringify(secrets)],
    ]),
    argv: [SCRIPT_PATH, PARAMS_PATH, SECRETS_PATH],
    shellVersion,
    calls,
    output,
  });
  const sandbox: Record<string, unknown> = { ...api.globals() };
  Object.defineProperty(sandbox, "session", { get: () => api.currentSession, enumerable: true });
  const context = vm.createContext(sandbox);
  let error: string | undefined;
  try {
    new vm.Script(adminApiScript(scriptName), { filename: `${scriptName}.js` }).runInContext(context, {
      timeout: 30_000,
    });
  } catch (e) {
    error = e && typeof e === "object" && "message" in e ? String((e as { message: unknown }).message) : String(e);
  }
  return { calls, output: output.join("\n"), ...(error !== undefined ? { error } : {}) };
}

/** The calls that changed something. */
export function mutatingCalls(r: RunResult): ApiCall[] {
  return r.calls.filter((c) => c.mutating);
}

/** "api target" of each mutating call, for compact assertions. */
export function mutations(r: RunResult): string[] {
  return mutatingCalls(r).map((c) =>
    c.sql !== undefined ? `SQL ${c.target}: ${c.sql}` : `${c.api} ${c.target ?? ""}`.trim(),
  );
}
