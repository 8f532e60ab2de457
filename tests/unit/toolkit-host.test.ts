/**
 * The toolkit's host side, run for real under bash on a pretend host (tests/helpers/toolkitHost.ts): the install
 * step checks a staged version against its MANIFEST, installs it beside the others, switches `current` and prunes;
 * the runner picks the version whose entry files hash as the step says; the bootstrap launcher runs once per host.
 */
import { existsSync, readFileSync, readlinkSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installCommand, TOOLKIT_STAGING } from "../../infra/contracts/toolkit";
import { currentToolkit, entryFiles } from "../../infra/toolkit/build";
import { toolkitStep } from "../../infra/toolkit/step";
import { BOOTSTRAP_ENTRY } from "../../infra/toolkit/sources";
import { bootstrapStepCommand } from "../../infra/mysql/bootstrapStep";
import { MYCNF_PATH, TLS_DIR, TLS_FILES } from "../../infra/mysql/mycnf";
import { shellcheck } from "../helpers/shellcheck";
import { toolkitHost, toolkitWith } from "../helpers/toolkitHost";

const HOST_SCRIPTS = [
  "gamedb-step",
  "gamedb-toolkit-install",
  "adminapi.sh",
  "install-tls.sh",
  "install-mycnf.sh",
  "bootstrap.sh",
];

/** A toolkit with an entry whose launcher prints what it was given: its arguments, stdin, fd 3 and fd 4. */
const echoToolkit = (data = "one\n") =>
  toolkitWith(
    {
      "lib/echo.sh": [
        'echo "dir=$1"',
        "shift",
        'echo "files=$*"',
        'echo "stdin=$(cat)"',
        'if { true <&3; } 2>/dev/null; then echo "params=$(cat <&3)"; fi',
        'if { true <&4; } 2>/dev/null; then echo "file=$(cat <&4)"; fi',
        "",
      ].join("\n"),
      "test/data.txt": data,
    },
    { "test/echo": ["lib/echo.sh", "test/data.txt"] },
  );
const ECHO = echoToolkit();

describe("the toolkit's host scripts", () => {
  it.each(HOST_SCRIPTS)("%s passes shellcheck", (name) => {
    expect(shellcheck(readFileSync(join(__dirname, "../../infra/toolkit/host", name), "utf8"))).toEqual([]);
  });

  it("install-mycnf.sh writes the my.cnf where mycnf.ts says MySQL reads it", () => {
    const text = readFileSync(join(__dirname, "../../infra/toolkit/host/install-mycnf.sh"), "utf8");
    expect(text).toContain(`mycnf_path=\${GAMEDB_MYCNF_PATH:-${MYCNF_PATH}}`);
  });

  it("install-tls.sh writes the TLS files where my.cnf's ssl_ca, ssl_cert and ssl_key name them", () => {
    const text = readFileSync(join(__dirname, "../../infra/toolkit/host/install-tls.sh"), "utf8");
    expect(text).toContain(`tls_dir=\${GAMEDB_TLS_DIR:-${TLS_DIR}}`);
    expect(Object.values(TLS_FILES).map((f) => f.slice(TLS_DIR.length + 1))).toEqual([
      "ca.pem",
      "server-cert.pem",
      "server-key.pem",
    ]);
    for (const f of ["ca.pem", "server-cert.pem", "server-key.pem"]) expect(text).toContain(`$tls_dir/${f}`);
  });

  it("the install and step command texts pass shellcheck", () => {
    expect(shellcheck(installCommand(currentToolkit().version))).toEqual([]);
    expect(shellcheck(toolkitStep("adminapi/converge-cluster", { params: { a: 1 }, note: "why" }))).toEqual([]);
    expect(shellcheck(toolkitStep("adminapi/configure-instance", { params: {}, file: "[mysqld]\n" }))).toEqual([]);
  });
});

describe("gamedb-toolkit-install", () => {
  it("installs a staged version, makes it current, removes the staged copy, and is idempotent", () => {
    const host = toolkitHost();
    const v = host.stage(ECHO);
    const first = host.run(installCommand(v));
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`gamedb-toolkit: version ${v} is current`);
    expect(readlinkSync(join(host.root, "current"))).toBe(v);
    expect(readFileSync(join(host.root, v, "test/data.txt"), "utf8")).toBe("one\n");
    expect(existsSync(join(host.home, TOOLKIT_STAGING, v))).toBe(false);
    // Re-run (a spurious update): the installed copy is used, nothing is copied again.
    const again = host.run(installCommand(v));
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain("installed");
    expect(readlinkSync(join(host.root, "current"))).toBe(v);
  });

  it("refuses a staged copy whose file differs from the MANIFEST, and installs nothing", () => {
    const host = toolkitHost();
    const v = host.stage(ECHO);
    writeFileSync(join(host.home, TOOLKIT_STAGING, v, "test/data.txt"), "tampered\n");
    const r = host.run(installCommand(v));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`is not toolkit version ${v}`);
    expect(existsSync(join(host.root, "current"))).toBe(false);
  });

  it("refuses a MANIFEST that is not the version's", () => {
    const host = toolkitHost();
    const v = host.stage(ECHO);
    writeFileSync(join(host.home, TOOLKIT_STAGING, v, "MANIFEST"), "");
    expect(host.run(installCommand(v)).status).toBe(1);
  });

  it("keeps the current version and the two newest others, and removes older ones", () => {
    const host = toolkitHost();
    const versions: string[] = [];
    for (let i = 0; i < 5; i++) {
      const v = host.stage(echoToolkit(`v${i}\n`));
      const r = host.run(installCommand(v));
      expect(r.status).toBe(0);
      // Distinct install times, oldest first, whatever the clock's resolution.
      utimesSync(join(host.root, v), 1000 + i, 1000 + i);
      versions.push(v);
    }
    const last = host.run(installCommand(versions[4]!));
    expect(last.status).toBe(0);
    const left = readdirSync(host.root).filter((n) => /^[0-9a-f]{16}$/.test(n));
    expect(left.sort()).toEqual([versions[2]!, versions[3]!, versions[4]!].sort());
  });

  it("counts a rollback to an installed version as its newest install when pruning", () => {
    const host = toolkitHost();
    const [a, b, c, d] = ["a", "b", "c", "d"].map((x) => echoToolkit(`${x}\n`));
    let t = 1000;
    const install = (tk: ReturnType<typeof echoToolkit>) => {
      expect(host.run(installCommand(host.stage(tk))).status).toBe(0);
      utimesSync(join(host.root, tk.version), t, t);
      t += 10;
    };
    for (const tk of [a!, b!, c!]) install(tk);
    // Roll back to a (installed: nothing copied), then a new version d.
    expect(host.run(installCommand(a!.version)).status).toBe(0);
    expect(readlinkSync(join(host.root, "current"))).toBe(a!.version);
    install(d!);
    const left = readdirSync(host.root).filter((n) => /^[0-9a-f]{16}$/.test(n));
    expect(left.sort()).toEqual([a!.version, c!.version, d!.version].sort());
  });

  it("removes a staged copy also when the version was installed already", () => {
    const host = toolkitHost();
    const v = host.stage(ECHO);
    expect(host.run(installCommand(v)).status).toBe(0);
    host.stage(ECHO);
    expect(host.run(installCommand(v)).status).toBe(0);
    expect(existsSync(join(host.home, TOOLKIT_STAGING, v))).toBe(false);
  });

  it("fails saying how to reinstall when the version is neither installed nor staged (a wiped host)", () => {
    const host = toolkitHost();
    const r = host.run(installCommand(ECHO.version));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`version ${ECHO.version} is neither installed nor staged on this host`);
    expect(r.stderr).toContain("pulumi up --replace");
  });
});

describe("gamedb-step", () => {
  it("runs the entry's launcher from the current version with its files, stdin, params and file", () => {
    const host = toolkitHost();
    const v = host.stage(ECHO);
    expect(host.run(installCommand(v)).status).toBe(0);
    const r = host.run(toolkitStep("test/echo", { params: { seed: "10.0.0.1:3306" }, file: "[mysqld]" }, ECHO), {
      input: "SECRET-ON-STDIN",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        `dir=${join(host.root, v)}`,
        "files=test/data.txt",
        "stdin=SECRET-ON-STDIN",
        'params={"seed":"10.0.0.1:3306"}',
        "file=[mysqld]",
        "",
      ].join("\n"),
    );
  });

  it("uses an older installed version when the current one's files hash otherwise (a delete planned before)", () => {
    const host = toolkitHost();
    const old = ECHO;
    const next = echoToolkit("two\n");
    expect(host.run(installCommand(host.stage(old))).status).toBe(0);
    expect(host.run(installCommand(host.stage(next))).status).toBe(0);
    expect(readlinkSync(join(host.root, "current"))).toBe(next.version);
    const r = host.run(toolkitStep("test/echo", {}, old));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`dir=${join(host.root, old.version)}`);
    const n = host.run(toolkitStep("test/echo", {}, next));
    expect(n.stdout).toContain(`dir=${join(host.root, next.version)}`);
  });

  it("fails naming the entry and hash when no installed version has them", () => {
    const host = toolkitHost();
    expect(host.run(installCommand(host.stage(ECHO))).status).toBe(0);
    const other = echoToolkit("never installed\n");
    const r = host.run(toolkitStep("test/echo", {}, other));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`has entry test/echo with hash ${entryFiles(other, "test/echo").sha256}`);
  });
});

describe("the host/bootstrap entry", () => {
  /** A toolkit whose bootstrap.sh records its environment instead of installing MySQL. */
  const fake = () =>
    toolkitWith({
      "host/bootstrap.sh": [
        "#!/usr/bin/env bash",
        'echo "bootstrap ran: $GAMEDB_MYSQL_VERSION ${GAMEDB_DATA_DEVICE:-none} $GAMEDB_DATA_DIR"',
        'echo "$GAMEDB_MYSQL_VERSION" > "$MARKER_FOR_TEST"',
        "",
      ].join("\n"),
    });

  function bootstrapHost() {
    const host = toolkitHost();
    const tk = fake();
    expect(host.run(installCommand(host.stage(tk))).status).toBe(0);
    const env = {
      GAMEDB_BOOTSTRAP_MARKER: join(host.dir, "bootstrap.done"),
      GAMEDB_BOOTSTRAP_ENV: join(host.dir, "etc/bootstrap.env"),
      GAMEDB_BOOTSTRAP_LOG: join(host.dir, "bootstrap.log"),
      MARKER_FOR_TEST: join(host.dir, "bootstrap.done"),
    };
    const text = bootstrapStepCommand(
      { mysqlVersion: "8.4.3", dataDevice: "ebs:vol-0abc12345", dataDir: "/var/lib/mysql", waitForCloudInit: true },
      tk,
    );
    return { host, env, text };
  }

  it("installs the environment file and runs the bootstrap with it, logging its output", () => {
    const { host, env, text } = bootstrapHost();
    const r = host.run(text, { env });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("bootstrap ran: 8.4.3 ebs:vol-0abc12345 /var/lib/mysql");
    expect(readFileSync(env.GAMEDB_BOOTSTRAP_ENV, "utf8")).toContain("GAMEDB_MYSQL_VERSION='8.4.3'");
    expect(readFileSync(env.GAMEDB_BOOTSTRAP_LOG, "utf8")).toContain("bootstrap ran");
  });

  it("leaves a bootstrapped host alone, whatever version the step now names", () => {
    const { host, env, text } = bootstrapHost();
    writeFileSync(env.GAMEDB_BOOTSTRAP_MARKER, "8.4.2\n");
    const r = host.run(text, { env });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("gamedb-bootstrap: host bootstrapped (MySQL 8.4.2); nothing to do\n");
    expect(existsSync(env.GAMEDB_BOOTSTRAP_ENV)).toBe(false);
  });

  it("on EC2, waits for cloud-init where there is one, and fails when it does not finish", () => {
    const { host, env, text } = bootstrapHost();
    host.stub("cloud-init", "#!/bin/sh\nexit 0\n");
    host.stub("timeout", '#!/bin/sh\n[ "$2" = cloud-init ] && exit "${TIMEOUT_RC:-0}"\nshift\nexec "$@"\n');
    expect(host.run(text, { env: { ...env, TIMEOUT_RC: "124" } }).stderr).toContain(
      "cloud-init did not finish within 1800 seconds",
    );
    expect(existsSync(env.GAMEDB_BOOTSTRAP_MARKER)).toBe(false);
    const ok = host.run(text, { env: { ...env, TIMEOUT_RC: "2" } });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("cloud-init reported exit 2; bootstrapping anyway");
    expect(ok.stdout).toContain("bootstrap ran");
  });

  it("is the bootstrap entry: the launcher then the script", () => {
    expect(currentToolkit().entries[BOOTSTRAP_ENTRY]).toEqual(["lib/bootstrap.sh", "host/bootstrap.sh"]);
  });
});
