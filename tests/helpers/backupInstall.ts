/**
 * Runs the backup jobs' install step as a host would: the step's command text under bash, its runner and launcher
 * from a real toolkit directory (infra/toolkit/build.ts) installed as `current` under a temp GAMEDB_TOOLKIT_ROOT,
 * the files written under a temp GAMEDB_ROOT, with only stand-ins (sudo, systemctl, and on request aws and snap)
 * and the coreutils the scripts need on PATH: no real snap or aws from the machine running the tests.
 *
 *   toolkitRoot(toolkit?)      a toolkit root holding `toolkit` (default: this checkout's) as current, built once
 *   freshRoot()                an empty host root in its own temp directory
 *   runBackupInstall(text, root, { aws, snap, input, toolkit })
 *                              runs the text; returns the result, the systemctl calls and the snap calls it made
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOOLKIT_CURRENT } from "../../infra/contracts/toolkit";
import { Toolkit, currentToolkit, toolkitDirectory } from "../../infra/toolkit/build";

const roots = new Map<string, string>();

export function toolkitRoot(toolkit: Toolkit = currentToolkit()): string {
  let root = roots.get(toolkit.version);
  if (!root) {
    const base = mkdtempSync(join(tmpdir(), "gamedb-toolkit-"));
    root = join(base, "root");
    mkdirSync(root);
    symlinkSync(toolkitDirectory(toolkit, join(base, "build")), join(root, "current"));
    roots.set(toolkit.version, root);
  }
  return root;
}

export function freshRoot(): string {
  const root = join(mkdtempSync(join(tmpdir(), "gamedb-install-")), "root");
  mkdirSync(root);
  return root;
}

const TOOLS = ["bash", "mktemp", "cat", "rm", "cmp", "install", "cp", "mkdir", "ln", "chmod", "sh"];
// What the runner (infra/toolkit/host/gamedb-step) needs to find the entry's version.
const RUNNER_TOOLS = ["sha256sum", "cut", "sort", "find", "readlink"];

export interface InstallRunOptions {
  /** An aws stand-in on PATH and on systemd's PATH. @default true */
  readonly aws?: boolean;
  /** A snap stand-in: records the call and puts an aws binary where the snap would. @default false */
  readonly snap?: boolean;
  /** The step's stdin. @default "" */
  readonly input?: string;
  /** @default this checkout's toolkit */
  readonly toolkit?: Toolkit;
}

export function runBackupInstall(text: string, root: string, opts: InstallRunOptions = {}) {
  const bin = join(root, "..", `bin-${Date.now()}-${Math.random()}`);
  mkdirSync(bin);
  for (const tool of [...TOOLS, ...RUNNER_TOOLS]) {
    const path = ["/usr/bin", "/bin"].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (path) symlinkSync(path, join(bin, tool));
  }
  writeFileSync(join(bin, "sudo"), '#!/bin/sh\n[ "$1" = "-n" ] && shift\nexec "$@"\n', { mode: 0o755 });
  writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho systemctl "$@" >> ${root}/../systemctl.log\n`, {
    mode: 0o755,
  });
  if (opts.aws ?? true) writeFileSync(join(bin, "aws"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  if (opts.snap)
    writeFileSync(
      join(bin, "snap"),
      `#!/bin/sh\necho snap "$@" >> ${root}/../snap.log\nmkdir -p ${root}/snap/bin && printf '#!/bin/sh\\n' > ${root}/snap/bin/aws && chmod 755 ${root}/snap/bin/aws\n`,
      { mode: 0o755 },
    );
  const toolkit = toolkitRoot(opts.toolkit);
  const run = spawnSync(
    "/bin/bash",
    ["--norc", "--noprofile", "-c", text.replaceAll(TOOLKIT_CURRENT, `${toolkit}/current`)],
    {
      input: opts.input ?? "",
      env: { PATH: bin, GAMEDB_SYSTEMD_PATH: bin, GAMEDB_ROOT: root, GAMEDB_TOOLKIT_ROOT: toolkit, HOME: root },
      encoding: "utf8",
    },
  );
  const take = (name: string) => {
    const path = join(root, "..", name);
    const out = existsSync(path) ? readFileSync(path, "utf8") : "";
    rmSync(path, { force: true });
    return out;
  };
  return { ...run, systemctl: take("systemctl.log"), snap: take("snap.log") };
}
