/**
 * A pretend host for the toolkit's shell scripts: a temp directory with a HOME (where CopyToRemote stages a version),
 * a toolkit root standing in for /opt/gamedb/toolkit, and a `sudo` stand-in that runs the command as this user
 * (dropping `-o root -g root` and chown, which only root may do). Command texts are run with bash after their
 * /opt/gamedb/toolkit paths are pointed at the temp root.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOOLKIT_ROOT, TOOLKIT_STAGING } from "../../infra/contracts/toolkit";
import { Toolkit, buildToolkit, toolkitDirectory } from "../../infra/toolkit/build";
import { readToolkitSources } from "../../infra/toolkit/sources";

const SUDO = `#!/usr/bin/env bash
[ "$1" = -n ] && shift
[ "$1" = chown ] && exit 0
args=()
skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in -o | -g) skip=1 ;; *) args+=("$a") ;; esac
done
exec "\${args[@]}"
`;

export interface ToolkitHost {
  readonly dir: string;
  readonly home: string;
  readonly root: string;
  readonly bin: string;
  /** Writes an executable stand-in for a command into bin/. */
  stub(name: string, body: string): void;
  /** Stages a toolkit as CopyToRemote does (files mode 0644) and returns its version. */
  stage(toolkit: Toolkit): string;
  /** Runs a command text under bash with the toolkit paths pointed at the temp root. */
  run(text: string, options?: { input?: string; env?: Record<string, string> }): ReturnType<typeof spawnSync>;
}

/** The toolkit of this checkout with some files replaced or added (toolkit path -> text). */
export function toolkitWith(files: Record<string, string>, entries: Record<string, string[]> = {}): Toolkit {
  const sources = readToolkitSources();
  return buildToolkit({ files: { ...sources.files, ...files }, entries: { ...sources.entries, ...entries } });
}

function chmodTree(path: string, mode: number): void {
  for (const name of readdirSync(path)) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) chmodTree(p, mode);
    else chmodSync(p, mode);
  }
}

export function toolkitHost(): ToolkitHost {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-toolkit-host-"));
  const home = join(dir, "home");
  const root = join(dir, "opt-toolkit");
  const bin = join(dir, "bin");
  for (const d of [home, bin]) mkdirSync(d, { recursive: true });
  const stub = (name: string, body: string) => writeFileSync(join(bin, name), body, { mode: 0o755 });
  stub("sudo", SUDO);
  return {
    dir,
    home,
    root,
    bin,
    stub,
    stage(toolkit) {
      const path = toolkitDirectory(toolkit, join(home, TOOLKIT_STAGING));
      chmodTree(path, 0o644);
      return toolkit.version;
    },
    run(text, options = {}) {
      return spawnSync("bash", ["--norc", "--noprofile", "-c", text.split(TOOLKIT_ROOT).join(root)], {
        input: options.input ?? "",
        encoding: "utf8",
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          HOME: home,
          GAMEDB_TOOLKIT_ROOT: root,
          GAMEDB_LOCK: join(dir, "lock"),
          ...options.env,
        },
      });
    },
  };
}
