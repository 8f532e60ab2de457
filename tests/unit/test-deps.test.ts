/**
 * scripts/test-deps.sh, the check `npm test` runs first for the system programs the tests run. It is run with a
 * PATH holding only a temp dir of stand-ins: one executable per program that is "installed", a fake `id` (the uid)
 * and, where the case has one, a fake `apt-get` that records its calls and "installs" a package by adding stand-ins
 * for its programs.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shellcheck } from "../helpers/shellcheck";

const ROOT = join(__dirname, "..", "..");
const SCRIPT = join(ROOT, "scripts", "test-deps.sh");

const TABLE = spawnSync("/bin/bash", [SCRIPT, "--list"], { encoding: "utf8" })
  .stdout.trim()
  .split("\n")
  .map((line) => line.split(" ") as [string, string]);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "test-deps-"));
  mkdirSync(join(dir, "bin"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(name: string, text: string): void {
  writeFileSync(join(dir, "bin", name), text);
  chmodSync(join(dir, "bin", name), 0o755);
}

interface Machine {
  uid: number;
  missing: string[];
  /** A fake apt-get; with installs: false its install adds nothing (a package without the program). */
  apt?: { installs: boolean };
}

function run(m: Machine) {
  for (const [program] of TABLE) if (!m.missing.includes(program)) executable(program, "#!/bin/sh\nexit 0\n");
  executable("id", `#!/bin/sh\n[ "$1" = -u ] && echo ${m.uid}\n`);
  if (m.apt) {
    const log = join(dir, "apt.log");
    // Each install argument that is a package of the table gets a stand-in for each of its programs.
    const provides = TABLE.map(
      ([program, pkg]) => `  [ "$a" = ${pkg} ] && : >"${dir}/bin/${program}" && /bin/chmod 755 "${dir}/bin/${program}"`,
    );
    executable(
      "apt-get",
      [
        "#!/bin/sh",
        `echo "DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-} apt-get $*" >>"${log}"`,
        `[ "$1" = install ] && ${m.apt.installs} || exit 0`,
        'for a in "$@"; do',
        ...provides.map((p) => `${p} || true`),
        "done",
        "",
      ].join("\n"),
    );
  }
  const result = spawnSync("/bin/bash", [SCRIPT], { env: { PATH: join(dir, "bin") }, encoding: "utf8" });
  const log = join(dir, "apt.log");
  const apt = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, apt };
}

describe("scripts/test-deps.sh", () => {
  it("lists each program the tests run with its Debian package", () => {
    expect(TABLE).toEqual([
      ["shellcheck", "shellcheck"],
      ["gpg", "gnupg"],
      ["gpg-agent", "gnupg"],
      ["gpgconf", "gnupg"],
      ["redis-server", "redis-server"],
      ["redis-cli", "redis-tools"],
      ["mariadbd", "mariadb-server"],
      ["mariadb-install-db", "mariadb-server"],
    ]);
  });

  it.each([0, 1000])("installs nothing and says nothing when every program is there (uid %d)", (uid) => {
    const r = run({ uid, missing: [], apt: { installs: true } });
    expect(r).toEqual({ status: 0, stdout: "", stderr: "", apt: [] });
  });

  it("not root: prints the exact install command and stops, without calling apt-get", () => {
    const r = run({ uid: 1000, missing: ["shellcheck", "redis-cli"], apt: { installs: true } });
    expect(r.status).toBe(1);
    expect(r.apt).toEqual([]);
    expect(r.stderr.split("\n")).toContain("sudo apt-get install -y shellcheck redis-tools");
    expect(r.stderr).toContain("shellcheck (shellcheck), redis-cli (redis-tools)");
  });

  it("root: one apt-get update, then an install of exactly the missing packages, each once", () => {
    const r = run({ uid: 0, missing: ["gpg", "gpgconf", "redis-server"], apt: { installs: true } });
    expect(r.apt).toEqual([
      "DEBIAN_FRONTEND= apt-get update",
      "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnupg redis-server",
    ]);
    expect(r.status).toBe(0);
  });

  it("root: fails, naming the program, when the install did not bring it", () => {
    const r = run({ uid: 0, missing: ["shellcheck"], apt: { installs: false } });
    expect(r.apt).toHaveLength(2);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("still not found after installing: shellcheck (shellcheck)");
  });

  it("root without apt-get: prints the install command and stops", () => {
    const r = run({ uid: 0, missing: ["redis-server", "redis-cli"] });
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")).toContain("apt-get install -y redis-server redis-tools");
  });

  it("refuses an unknown argument", () => {
    const r = spawnSync("/bin/bash", [SCRIPT, "--install"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown argument '--install' (allowed: --list)");
  });

  it("runs first in npm test, and .ci/run leaves the installing to it", () => {
    const test = readFileSync(join(ROOT, "scripts", "test.sh"), "utf8");
    expect(test.indexOf("bash scripts/test-deps.sh")).toBeGreaterThan(0);
    expect(test.indexOf("bash scripts/test-deps.sh")).toBeLessThan(test.indexOf("npx "));
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    expect(ci).not.toContain("apt-get");
    expect(ci.trim().split("\n").slice(-2)).toEqual(["npm ci --no-audit --no-fund", "npm test"]);
  });

  it.each(["scripts/test-deps.sh", "scripts/test.sh", ".ci/run"])("%s passes shellcheck", (file) => {
    expect(shellcheck(readFileSync(join(ROOT, file), "utf8"))).toEqual([]);
  });
});
