/**
 * MySQL rules: what reaches MySQL is encrypted in transit. Read from what the hosts and the Routers are given, since
 * MySQL here is not a managed service:
 * - the my.cnf each host's configure step installs (the step's command text carries it as the heredoc on fd 4, see
 *   infra/contracts/toolkit.ts): require_secure_transport = ON, and ssl_ca / ssl_cert / ssl_key set;
 * - the Router start script (any ConfigMap whose bootstrap.sh runs `mysqlrouter --bootstrap`): every routed
 *   connection with --server-ssl-mode REQUIRED and a verified certificate (--server-ssl-verify VERIFY_CA or
 *   VERIFY_IDENTITY with --server-ssl-ca), so a client without TLS still reaches the server over TLS.
 * The checkov and FSBP controls for this (CKV_AZURE_28, CKV_GCP_6, RDS parameter groups) read managed services'
 * settings only; none applies to MySQL on EC2 hosts or a Router on Kubernetes.
 */
import { Rule } from "./model";

const COMMAND = "command:remote:Command";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
/** The run line of a configure step (infra/contracts/toolkit.ts stepCommand). */
const CONFIGURE_RUN =
  /^exec bash \S+\/bin\/gamedb-step adminapi\/configure-instance [0-9a-f]{64}\b.* 4<<'GAMEDB_FILE'$/m;

/** The [mysqld] settings of the my.cnf in a configure step's command text (the fd-4 heredoc). Pure. */
export function configureStepMycnf(text: string): Map<string, string> | undefined {
  if (!CONFIGURE_RUN.test(text)) return undefined;
  const lines = text.split("\n");
  const end = lines.lastIndexOf("GAMEDB_FILE");
  const start = lines.indexOf("[mysqld]");
  if (start < 0 || end < start) return new Map();
  const out = new Map<string, string>();
  for (const line of lines.slice(start + 1, end)) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1]!.replace(/-/g, "_").toLowerCase(), m[2]!);
  }
  return out;
}

/** Why a member's my.cnf lets plain TCP connections in; empty when it requires TLS. Pure. */
export function mycnfTlsProblems(settings: Map<string, string>): string[] {
  const problems: string[] = [];
  const rst = settings.get("require_secure_transport")?.toUpperCase();
  if (rst !== "ON" && rst !== "1") problems.push(`require_secure_transport is ${rst ?? "not set"}, not ON`);
  for (const key of ["ssl_ca", "ssl_cert", "ssl_key"]) if (!settings.get(key)) problems.push(`${key} is not set`);
  return problems;
}

/** The value of `--name VALUE` in a script, or undefined. Pure. */
function option(script: string, name: string): string | undefined {
  return new RegExp(`${name}\\s+("?)([^\\s"\\\\]+)\\1`).exec(script)?.[2];
}

/** Why a Router start script lets routed connections reach the servers without verified TLS. Pure. */
export function routerTlsProblems(text: string): string[] {
  // Comments may name the options; only the commands count.
  const script = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n");
  const problems: string[] = [];
  const mode = option(script, "--server-ssl-mode");
  if (mode?.toUpperCase() !== "REQUIRED")
    problems.push(`--server-ssl-mode is ${mode ?? "not given (AS_CLIENT, PREFERRED after bootstrap)"}, not REQUIRED`);
  const verify = option(script, "--server-ssl-verify")?.toUpperCase();
  if (verify !== "VERIFY_CA" && verify !== "VERIFY_IDENTITY")
    problems.push(`--server-ssl-verify is ${verify ?? "not given (DISABLED)"}, not VERIFY_CA or VERIFY_IDENTITY`);
  if (!option(script, "--server-ssl-ca")) problems.push("--server-ssl-ca is not given");
  return problems;
}

export const mysqlRules: Rule[] = [
  {
    id: "GDB-MYSQL-001",
    title: "MySQL requires secure transport (require_secure_transport = ON with the member's TLS files)",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: [COMMAND],
    check: (cmd) => {
      const text = cmd.inputs.create;
      const settings = typeof text === "string" ? configureStepMycnf(text) : undefined;
      return settings === undefined ? [] : mycnfTlsProblems(settings).map((p) => `my.cnf: ${p}`);
    },
  },
  {
    id: "GDB-MYSQL-002",
    title: "Router connects to the MySQL servers with verified TLS (--server-ssl-mode REQUIRED)",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: [CONFIGMAP],
    check: (cm) => {
      const script = (cm.inputs.data as Record<string, unknown> | undefined)?.["bootstrap.sh"];
      if (typeof script !== "string" || !/mysqlrouter[\s\S]*--bootstrap/.test(script)) return [];
      return routerTlsProblems(script).map((p) => `bootstrap.sh: ${p}`);
    },
  },
];
