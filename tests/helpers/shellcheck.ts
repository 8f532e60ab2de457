/**
 * ShellCheck for shell text generated in tests (scripts, remote command texts).
 *
 *   shellcheck(text)          findings for bash, [] when clean
 *   shellcheck(text, "sh")    the same for POSIX sh (also "dash", "ksh")
 *
 * Each finding is one `shellcheck -f gcc` line, e.g. `-:3:7: warning: ... [SC2086]` ("-" is the text, then line and
 * column), at every severity down to style. Throws, naming the package, when shellcheck is not installed, and on
 * any failure of shellcheck itself (as opposed to findings).
 */
import { spawnSync } from "node:child_process";

export function shellcheck(text: string, shell = "bash"): string[] {
  const result = spawnSync("shellcheck", ["-f", "gcc", "-s", shell, "-"], { input: text, encoding: "utf8" });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? "shellcheck is not installed: install the shellcheck package (apt-get install shellcheck)"
        : `shellcheck could not run: ${result.error.message}`,
    );
  }
  // Exit 0: clean; 1: findings; anything else: shellcheck failed (bad option, unknown shell...).
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`shellcheck failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
