/**
 * The host bootstrap: bootstrap.sh (static checks, and its input validation run for real), its environment file
 * (bootstrapEnvFile) and the toolkit step that runs it (bootstrapStepCommand), run for real through the toolkit's
 * runner and launcher (lib/bootstrap.sh) with stand-ins for sudo and cloud-init: once per host, after cloud-init's
 * first boot, the env file installed and the script's output in the log.
 *
 * Nothing here runs the install path: it needs root on Ubuntu 24.04 and MySQL's repository. Every run of the script
 * below fails validation or passes --validate-only, both of which exit before touching the machine; the launcher's
 * runs otherwise use a stand-in script. Needs shellcheck and gnupg (gpg).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import {
  BOOTSTRAP_ENV_PATH,
  BOOTSTRAP_LOG_PATH,
  BOOTSTRAP_MARKER_PATH,
  BOOTSTRAP_SCRIPT,
  BootstrapInput,
  bootstrapEnvFile,
  bootstrapStepCommand,
} from "../../infra/mysql/bootstrapStep";
import { FILE_END, TOOLKIT_ROOT } from "../../infra/contracts/toolkit";
import { Toolkit, buildToolkit, currentToolkit, entryFiles, toolkitDirectory } from "../../infra/toolkit/build";
import { readToolkitSources } from "../../infra/toolkit/sources";
import { shellcheck } from "../helpers/shellcheck";
import { stepOf } from "../helpers/toolkit";

const SCRIPT_FILE = path.join(__dirname, "../../infra/mysql/bootstrap/bootstrap.sh");
const SCRIPT = fs.readFileSync(SCRIPT_FILE, "utf8");
const EC2: BootstrapInput = {
  mysqlVersion: "8.4.3",
  dataDevice: "ebs:vol-0123456789abcdef0",
  dataDir: "/var/lib/mysql",
  waitForCloudInit: true,
};

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-bootstrap-test-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs bash with only PATH and `env` in the environment. --norc: bash reads ~/.bashrc when its stdin is a socket
 * (it takes that for rshd), and node's stdio pipes are sockets.
 */
function bash(args: string[], env: Record<string, string> = {}, input?: string) {
  const result = spawnSync("bash", ["--norc", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    input,
    encoding: "utf8",
    timeout: 20_000,
  });
  if (result.error) throw result.error;
  return result;
}

/** The tools the runner and the launcher use; nothing else from the machine (no real cloud-init or sudo). */
const TOOLS = [
  "bash",
  "cat",
  "cut",
  "find",
  "install",
  "mktemp",
  "readlink",
  "rm",
  "sha256sum",
  "sort",
  "tee",
  "timeout",
];

/** A toolkit root per toolkit, holding it as `<root>/<version>` and `current`. */
const roots = new Map<string, string>();
function rootOf(toolkit: Toolkit): string {
  let root = roots.get(toolkit.version);
  if (!root) {
    root = fs.mkdtempSync(path.join(tmp, "toolkit-"));
    toolkitDirectory(toolkit, root);
    fs.symlinkSync(toolkit.version, path.join(root, "current"));
    roots.set(toolkit.version, root);
  }
  return root;
}

/** This checkout's toolkit with a stand-in for bootstrap.sh. */
function withScript(script: string): Toolkit {
  const sources = readToolkitSources();
  return buildToolkit({ ...sources, files: { ...sources.files, "host/bootstrap.sh": script } });
}

interface HostOptions {
  /** A cloud-init stand-in exiting with this status (EC2); none on PATH (a static host) when undefined. */
  readonly cloudInit?: number;
  /** The marker of a bootstrapped host, holding this version. */
  readonly marker?: string;
  readonly toolkit?: Toolkit;
}

/**
 * Runs a bootstrap step's command text as a host would: the toolkit under a temp root, sudo a stand-in that runs
 * the command as this user (dropping install's -o/-g), the env file, marker and log at temp paths.
 */
function runStep(text: string, opts: HostOptions = {}) {
  const dir = fs.mkdtempSync(path.join(tmp, "host-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const tool of TOOLS) {
    const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
    if (!found) throw new Error(`${tool} is not installed`);
    fs.symlinkSync(found, path.join(bin, tool));
  }
  const stub = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  stub(
    "sudo",
    `echo "sudo $*" >> ${dir}/calls\n[ "$1" = -n ] && shift\nargs=()\nskip=0\nfor a in "$@"; do\n  if [ $skip = 1 ]; then skip=0; continue; fi\n  case $a in -o | -g) [ "$1" = install ] && skip=1 && continue ;; esac\n  args+=("$a")\ndone\nexec "\${args[@]}"`,
  );
  if (opts.cloudInit !== undefined) stub("cloud-init", `echo "cloud-init $*" >> ${dir}/calls\nexit ${opts.cloudInit}`);
  const files = { marker: path.join(dir, "bootstrap.done"), env: path.join(dir, "etc", "bootstrap.env") };
  if (opts.marker !== undefined) fs.writeFileSync(files.marker, `${opts.marker}\n`);
  const root = rootOf(opts.toolkit ?? currentToolkit());
  const log = path.join(dir, "bootstrap.log");
  const result = bash(["-c", text.split(TOOLKIT_ROOT).join(root)], {
    PATH: bin,
    GAMEDB_TOOLKIT_ROOT: root,
    GAMEDB_BOOTSTRAP_MARKER: files.marker,
    GAMEDB_BOOTSTRAP_ENV: files.env,
    GAMEDB_BOOTSTRAP_LOG: log,
  });
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined);
  return { ...result, calls: read(path.join(dir, "calls")) ?? "", env: read(files.env), log: read(log), files };
}

describe("bootstrap.sh", () => {
  it("passes shellcheck at every severity", () => {
    expect(shellcheck(SCRIPT)).toEqual([]);
  });

  it("is bash with errexit, nounset and pipefail, and is what the toolkit ships as host/bootstrap.sh", () => {
    expect(SCRIPT.split("\n")[0]).toBe("#!/usr/bin/env bash");
    expect(SCRIPT).toMatch(/^set -euo pipefail$/m);
    expect(BOOTSTRAP_SCRIPT).toBe(SCRIPT);
    expect(currentToolkit().files.get("host/bootstrap.sh")!.text).toBe(SCRIPT);
    // The marker the launcher skips a host by is the one the script writes when it completes.
    expect(SCRIPT).toContain(`readonly MARKER=${BOOTSTRAP_MARKER_PATH}\n`);
  });

  const VERSION_ERROR = (got: string) =>
    `gamedb-bootstrap: error: GAMEDB_MYSQL_VERSION must be a MySQL 8.4 LTS version such as 8.4.3 (got '${got}')\n`;

  it.each([
    [{ GAMEDB_MYSQL_VERSION: "8.0.36" }, VERSION_ERROR("8.0.36")],
    [{ GAMEDB_MYSQL_VERSION: "8.4" }, VERSION_ERROR("8.4")],
    [{ GAMEDB_MYSQL_VERSION: "8.4.3; reboot" }, VERSION_ERROR("8.4.3; reboot")],
    [{}, VERSION_ERROR("")],
    [
      { GAMEDB_MYSQL_VERSION: "9.1.0", GAMEDB_DATA_DEVICE: "ebs:vol-XYZ", GAMEDB_DATA_DIR: "var/lib/mysql" },
      VERSION_ERROR("9.1.0") +
        "gamedb-bootstrap: error: GAMEDB_DATA_DEVICE must be a block device such as /dev/nvme1n1 or ebs:<volume id> such as ebs:vol-0abc12345 (got 'ebs:vol-XYZ')\n" +
        "gamedb-bootstrap: error: GAMEDB_DATA_DIR must be an absolute directory path such as /var/lib/mysql (got 'var/lib/mysql')\n",
    ],
    [
      { GAMEDB_MYSQL_VERSION: "8.4.3", GAMEDB_DATA_DIR: "/var/lib/../../etc" },
      "gamedb-bootstrap: error: GAMEDB_DATA_DIR must be an absolute directory path such as /var/lib/mysql (got '/var/lib/../../etc')\n",
    ],
  ])("rejects bad inputs before doing anything: %j", (env, stderr) => {
    const result = bash([SCRIPT_FILE], env);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 2,
      stdout: "",
      stderr,
    });
  });

  it("validates the same way when the bootstrap step runs it, its errors in the log, the host not marked", () => {
    const result = runStep(bootstrapStepCommand({ mysqlVersion: "8.4.x", dataDir: "/var/lib/mysql" }), {
      cloudInit: 0,
    });
    // The launcher runs it with its output on stdout and appended to the log.
    expect([result.status, result.stdout, result.stderr]).toEqual([2, VERSION_ERROR("8.4.x"), ""]);
    expect(result.log).toBe(VERSION_ERROR("8.4.x"));
    expect(fs.existsSync(result.files.marker)).toBe(false);
  });

  it("accepts good inputs (--validate-only stops there)", () => {
    const inputs: Record<string, string>[] = [
      { GAMEDB_MYSQL_VERSION: "8.4.3" },
      { GAMEDB_MYSQL_VERSION: "8.4.12", GAMEDB_DATA_DEVICE: "/dev/nvme1n1", GAMEDB_DATA_DIR: "/data/mysql" },
      { GAMEDB_MYSQL_VERSION: "8.4.0", GAMEDB_DATA_DEVICE: "ebs:vol-0123456789abcdef0" },
    ];
    for (const env of inputs) {
      const result = bash([SCRIPT_FILE, "--validate-only"], env);
      expect([result.status, result.stdout, result.stderr]).toEqual([0, "", ""]);
    }
  });
});

/**
 * MySQL's signing key as the MySQL 8.4 manual publishes it ("Signature Checking Using GnuPG"). This copy expired on
 * 2025-10-22; MySQL extends the expiry and re-publishes, so the fingerprint is what is pinned.
 */
const MANUAL_KEY = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mQINBGU2rNoBEACSi5t0nL6/Hj3d0PwsbdnbY+SqLUIZ3uWZQm6tsNhvTnahvPPZBGdl99iW
YTt2KmXp0KeN2s9pmLKkGAbacQP1RqzMFnoHawSMf0qTUVjAvhnI4+qzMDjTNSBq9fa3nHmO
YxownnrRkpiQUM/yD7/JmVENgwWb6akZeGYrXch9jd4XV3t8OD6TGzTedTki0TDNr6YZYhC7
jUm9fK9Zs299pzOXSxRRNGd+3H9gbXizrBu4L/3lUrNf//rM7OvV9Ho7u9YYyAQ3L3+OABK9
FKHNhrpi8Q0cbhvWkD4oCKJ+YZ54XrOG0YTg/YUAs5/3//FATI1sWdtLjJ5pSb0onV3LIbar
RTN8lC4Le/5kd3lcot9J8b3EMXL5p9OGW7wBfmNVRSUI74Vmwt+v9gyp0Hd0keRCUn8lo/1V
0YD9i92KsE+/IqoYTjnya/5kX41jB8vr1ebkHFuJ404+G6ETd0owwxq64jLIcsp/GBZHGU0R
KKAo9DRLH7rpQ7PVlnw8TDNlOtWt5EJlBXFcPL+NgWbqkADAyA/XSNeWlqonvPlYfmasnAHA
pMd9NhPQhC7hJTjCiAwG8UyWpV8Dj07DHFQ5xBbkTnKH2OrJtguPqSNYtTASbsWz09S8ujoT
DXFT17NbFM2dMIiq0a4VQB3SzH13H2io9Cbg/TzJrJGmwgoXgwARAQABtDZNeVNRTCBSZWxl
YXNlIEVuZ2luZWVyaW5nIDxteXNxbC1idWlsZEBvc3Mub3JhY2xlLmNvbT6JAlQEEwEIAD4W
IQS8pDQXw7SF3RKOxtS3s7eIqNN4XAUCZTas2gIbAwUJA8JnAAULCQgHAgYVCgkICwIEFgID
AQIeAQIXgAAKCRC3s7eIqNN4XLzoD/9PlpWtfHlI8eQTHwGsGIwFA+fgipyDElapHw3MO+K9
VOEYRZCZSuBXHJe9kjGEVCGUDrfImvgTuNuqYmVUV+wyhP+w46W/cWVkqZKAW0hNp0TTvu3e
Dwap7gdk80VF24Y2Wo0bbiGkpPiPmB59oybGKaJ756JlKXIL4hTtK3/hjIPFnb64Ewe4YLZy
oJu0fQOyA8gXuBoalHhUQTbRpXI0XI3tpZiQemNbfBfJqXo6LP3/LgChAuOfHIQ8alvnhCwx
hNUSYGIRqx+BEbJw1X99Az8XvGcZ36VOQAZztkW7mEfH9NDPz7MXwoEvduc61xwlMvEsUIaS
fn6SGLFzWPClA98UMSJgF6sKb+JNoNbzKaZ8V5w13msLb/pq7hab72HH99XJbyKNliYj3+KA
3q0YLf+Hgt4Y4EhIJ8x2+g690Np7zJF4KXNFbi1BGloLGm78akY1rQlzpndKSpZq5KWw8FY/
1PEXORezg/BPD3Etp0AVKff4YdrDlOkNB7zoHRfFHAvEuuqti8aMBrbRnRSG0xunMUOEhbYS
/wOOTl0g3bF9NpAkfU1Fun57N96Us2T9gKo9AiOY5DxMe+IrBg4zaydEOovgqNi2wbU0MOBQ
b23Puhj7ZCIXcpILvcx9ygjkONr75w+XQrFDNeux4Znzay3ibXtAPqEykPMZHsZ2sbkCDQRl
NqzaARAAsdvBo8WRqZ5WVVk6lReD8b6Zx83eJUkV254YX9zn5t8KDRjYOySwS75mJIaZLsv0
YQjJk+5rt10tejyCrJIFo9CMvCmjUKtVbgmhfS5+fUDRrYCEZBBSa0Dvn68EBLiHugr+SPXF
6o1hXEUqdMCpB6oVp6X45JVQroCKIH5vsCtw2jU8S2/IjjV0V+E/zitGCiZaoZ1f6NG7ozyF
ep1CSAReZu/sssk0pCLlfCebRd9Rz3QjSrQhWYuJa+eJmiF4oahnpUGktxMD632I9aG+IMfj
tNJNtX32MbO+Se+cCtVc3cxSa/pR+89a3cb9IBA5tFF2Qoekhqo/1mmLi93Xn6uDUhl5tVxT
nB217dBT27tw+p0hjd9hXZRQbrIZUTyh3+8EMfmAjNSIeR+th86xRd9XFRr9EOqrydnALOUr
9cT7TfXWGEkFvn6ljQX7f4RvjJOTbc4jJgVFyu8K+VU6u1NnFJgDiNGsWvnYxAf7gDDbUSXE
uC2anhWvxPvpLGmsspngge4yl+3nv+UqZ9sm6LCebR/7UZ67tYz3p6xzAOVgYsYcxoIUuEZX
jHQtsYfTZZhrjUWBJ09jrMvlKUHLnS437SLbgoXVYZmcqwAWpVNOLZf+fFm4IE5aGBG5Dho2
CZ6ujngW9Zkn98T1d4N0MEwwXa2V6T1ijzcqD7GApZUAEQEAAYkCPAQYAQgAJhYhBLykNBfD
tIXdEo7G1Lezt4io03hcBQJlNqzaAhsMBQkDwmcAAAoJELezt4io03hcXqMP/01aPT3A3Sg7
oTQoHdCxj04ELkzrezNWGM+YwbSKrR2LoXR8zf2tBFzc2/Tl98V0+68f/eCvkvqCuOtq4392
Ps23j9W3r5XG+GDOwDsx0gl0E+Qkw07pwdJctA6efsmnRkjF2YVO0N9MiJA1tc8NbNXpEEHJ
Z7F8Ri5cpQrGUz/AY0eae2b7QefyP4rpUELpMZPjc8Px39Fe1DzRbT+5E19TZbrpbwlSYs1i
CzS5YGFmpCRyZcLKXo3zS6N22+82cnRBSPPipiO6WaQawcVMlQO1SX0giB+3/DryfN9VuIYd
1EWCGQa3O0MVu6o5KVHwPgl9R1P6xPZhurkDpAd0b1s4fFxin+MdxwmG7RslZA9CXRPpzo7/
fCMW8sYOH15DP+YfUckoEreBt+zezBxbIX2CGGWEV9v3UBXadRtwxYQ6sN9bqW4jm1b41vNA
17b6CVH6sVgtU3eN+5Y9an1e5jLD6kFYx+OIeqIIId/TEqwS61csY9aav4j4KLOZFCGNU0FV
ji7NQewSpepTcJwfJDOzmtiDP4vol1ApJGLRwZZZ9PB6wsOgDOoP6sr0YrDI/NNX2RyXXbgl
nQ1yJZVSH3/3eo6knG2qTthUKHCRDNKdy9Qqc1x4WWWtSRjh+zX8AvJK2q1rVLH2/3ilxe9w
cAZUlaj3id3TxquAlud4lWDz
=h5nH
-----END PGP PUBLIC KEY BLOCK-----
`;
/** When the manual's copy expires (its self-signature), seconds since the epoch. */
const MANUAL_KEY_EXPIRES = 1761154010;

describe("the pinned MySQL signing key", () => {
  let gnupgHome: string;
  /** gpg in a private home; fails the test, naming the package, when gpg is missing. */
  function gpg(args: string[], home = gnupgHome): string {
    const result = spawnSync("gpg", ["--batch", "--homedir", home, ...args], { encoding: "utf8" });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
      throw new Error("gpg is not installed: install the gnupg package");
    }
    if (result.status !== 0) throw new Error(`gpg ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }
  function fingerprints(file: string): string[] {
    return gpg(["--with-colons", "--show-keys", file])
      .split("\n")
      .filter((l) => l.startsWith("fpr:"))
      .map((l) => l.split(":")[9] ?? "");
  }
  /** Runs the script's own key_ok function on a file, with KEY_FPR set to `fpr`. */
  function keyOk(file: string, fpr: string): boolean {
    const fn = /^key_ok\(\) \{\n[\s\S]*?\n\}$/m.exec(SCRIPT)?.[0];
    if (!fn) throw new Error("bootstrap.sh has no key_ok function");
    const home = fs.mkdtempSync(path.join(tmp, "check-"));
    const result = bash(["-c", `set -euo pipefail\nKEY_FPR=$1\n${fn}\nkey_ok "$2"`, "_", fpr, file], {
      GNUPGHOME: home,
    });
    return result.status === 0;
  }
  const pinned = /^readonly KEY_FPR=([0-9A-F]{40})$/m.exec(SCRIPT)?.[1] ?? "";
  const manualKey = () => path.join(tmp, "manual.asc");

  beforeAll(() => {
    gnupgHome = fs.mkdtempSync(path.join(tmp, "gnupg-"));
    fs.writeFileSync(manualKey(), MANUAL_KEY);
  });
  afterAll(() => {
    // Key generation starts a gpg-agent for this home; stop it.
    spawnSync("gpgconf", ["--homedir", gnupgHome, "--kill", "gpg-agent"]);
  });

  it("is the full fingerprint of the key the MySQL manual publishes", () => {
    expect(pinned).toBe("BCA43417C3B485DD128EC6D4B7B3B788A8D3785C");
    expect(fingerprints(manualKey())[0]).toBe(pinned);
  });

  it("is trusted only from a current copy that holds it alone", () => {
    gpg(["--passphrase", "", "--quick-gen-key", "Test One <one@example.invalid>", "ed25519", "sign", "1d"]);
    const one = path.join(tmp, "one.asc");
    fs.writeFileSync(one, gpg(["--armor", "--export", "one@example.invalid"]));
    const oneFpr = fingerprints(one)[0] ?? "";
    gpg(["--passphrase", "", "--quick-gen-key", "Test Two <two@example.invalid>", "ed25519", "sign", "1d"]);
    const both = path.join(tmp, "both.asc");
    fs.writeFileSync(both, gpg(["--armor", "--export"]));
    const binary = path.join(tmp, "one.gpg");
    fs.writeFileSync(binary, spawnSync("gpg", ["--batch", "--homedir", gnupgHome, "--export", oneFpr]).stdout);

    expect(keyOk(one, oneFpr)).toBe(true); // armored, as downloaded
    expect(keyOk(binary, oneFpr)).toBe(true); // binary, as installed in /usr/share/keyrings
    expect(keyOk(one, pinned)).toBe(false); // another key
    expect(keyOk(both, oneFpr)).toBe(false); // an extra key alongside
    expect(keyOk(path.join(tmp, "missing.asc"), oneFpr)).toBe(false);
    expect(keyOk(manualKey(), pinned)).toBe(Date.now() / 1000 < MANUAL_KEY_EXPIRES); // expired copies are skipped
  });
});

describe("bootstrapEnvFile", () => {
  it("writes the inputs as shell-quoted assignments, in a fixed order", () => {
    expect(bootstrapEnvFile(EC2)).toBe(
      [
        "# Generated by gamedb: the inputs of the host bootstrap (sourced by bash).",
        "GAMEDB_MYSQL_VERSION='8.4.3'",
        "GAMEDB_DATA_DEVICE='ebs:vol-0123456789abcdef0'",
        "GAMEDB_DATA_DIR='/var/lib/mysql'",
        "GAMEDB_WAIT_CLOUD_INIT='1'",
        "",
      ].join("\n"),
    );
  });

  it("leaves the data device out when there is none", () => {
    expect(bootstrapEnvFile({ mysqlVersion: "8.4.3", dataDir: "/var/lib/mysql" })).toBe(
      "# Generated by gamedb: the inputs of the host bootstrap (sourced by bash).\nGAMEDB_MYSQL_VERSION='8.4.3'\nGAMEDB_DATA_DIR='/var/lib/mysql'\n",
    );
    expect(bootstrapEnvFile({ ...EC2, dataDevice: "" })).not.toContain("GAMEDB_DATA_DEVICE");
  });
});

describe("bootstrapStepCommand", () => {
  it("runs the toolkit's host/bootstrap entry with the env file on fd 4: no params, no secrets", () => {
    const { sha256 } = entryFiles(currentToolkit(), "host/bootstrap");
    const text = bootstrapStepCommand(EC2);
    expect(text).toBe(
      [
        "set -eu",
        `exec bash /opt/gamedb/toolkit/current/bin/gamedb-step host/bootstrap ${sha256} 4<<'${FILE_END}'`,
        `${bootstrapEnvFile(EC2)}${FILE_END}`,
        "",
      ].join("\n"),
    );
    const step = stepOf(text);
    expect(step).toMatchObject({ entry: "host/bootstrap", sha256, params: undefined, file: bootstrapEnvFile(EC2) });
    // The launcher first, then the script; nothing else, so only these two files re-run the step.
    expect(step.files.map((f) => f.path)).toEqual(["lib/bootstrap.sh", "host/bootstrap.sh"]);
    expect(shellcheck(text)).toEqual([]);
    expect(shellcheck(bootstrapStepCommand({ mysqlVersion: "8.4.3", dataDir: "/var/lib/mysql" }))).toEqual([]);
  });

  it("is run by a launcher whose default marker, env file and log paths are the ones bootstrapStep.ts names", () => {
    const launcher = currentToolkit().files.get("lib/bootstrap.sh")!.text;
    expect(launcher).toContain(`marker=\${GAMEDB_BOOTSTRAP_MARKER:-${BOOTSTRAP_MARKER_PATH}}`);
    expect(launcher).toContain(`env_path=\${GAMEDB_BOOTSTRAP_ENV:-${BOOTSTRAP_ENV_PATH}}`);
    expect(launcher).toContain(`log=\${GAMEDB_BOOTSTRAP_LOG:-${BOOTSTRAP_LOG_PATH}}`);
    expect(shellcheck(launcher)).toEqual([]);
  });

  it("refuses an input with a line that would end the env file's heredoc", () => {
    expect(() => bootstrapStepCommand({ ...EC2, dataDir: `/x\n${FILE_END}\ny` })).toThrow(
      `step content has a line "${FILE_END}"; it would end its heredoc`,
    );
  });
});

/** A stand-in bootstrap.sh: prints its inputs, NUL-separated, and where it runs from. */
const PRINT_INPUTS = 'printf "%s\\0" "$GAMEDB_MYSQL_VERSION" "${GAMEDB_DATA_DEVICE-}" "$GAMEDB_DATA_DIR"';
const STAND_IN = withScript(`#!/usr/bin/env bash\nset -euo pipefail\n${PRINT_INPUTS}\necho "ran $0"\n`);
const ran = () => `ran ${path.join(rootOf(STAND_IN), STAND_IN.version, "host", "bootstrap.sh")}\n`;

describe("the bootstrap step on a host (lib/bootstrap.sh)", () => {
  it("on EC2: waits for cloud-init, installs the env file (0644) and runs the script as root, output logged", () => {
    const r = runStep(bootstrapStepCommand(EC2, STAND_IN), { cloudInit: 0, toolkit: STAND_IN });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(`8.4.3\0ebs:vol-0123456789abcdef0\0/var/lib/mysql\0${ran()}`);
    expect(r.log).toBe(r.stdout);
    expect(r.env).toBe(bootstrapEnvFile(EC2));
    expect(fs.statSync(r.files.env).mode & 0o777).toBe(0o644);
    const calls = r.calls.split("\n");
    expect(calls[0]).toBe("cloud-init status --wait");
    expect(calls[1]).toMatch(new RegExp(`^sudo -n install -D -m 0644 -o root -g root \\S+ ${r.files.env}$`));
    expect(calls[2]).toMatch(/^sudo -n bash -c /);
    expect(calls.slice(3)).toEqual([""]);
  });

  it("on a static host (no cloud-init): bootstraps at once", () => {
    const r = runStep(bootstrapStepCommand({ mysqlVersion: "8.4.3", dataDir: "/d" }, STAND_IN), { toolkit: STAND_IN });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `8.4.3\0\0/d\0${ran()}`, ""]);
    expect(r.calls).not.toContain("cloud-init");
  });

  it("on a static host with a cloud-init that never reports done: bootstraps at once, without asking it", () => {
    const r = runStep(bootstrapStepCommand({ mysqlVersion: "8.4.3", dataDir: "/d" }, STAND_IN), {
      cloudInit: 124,
      toolkit: STAND_IN,
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `8.4.3\0\0/d\0${ran()}`, ""]);
    expect(r.calls).not.toContain("cloud-init");
  });

  it("leaves a bootstrapped host alone: a new mysql.version or bootstrap.sh re-runs the step, which changes nothing", () => {
    const r = runStep(bootstrapStepCommand({ ...EC2, mysqlVersion: "8.4.4" }, STAND_IN), {
      cloudInit: 0,
      marker: "8.4.3",
      toolkit: STAND_IN,
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([
      0,
      "gamedb-bootstrap: host bootstrapped (MySQL 8.4.3); nothing to do\n",
      "",
    ]);
    expect([r.calls, r.env, r.log]).toEqual(["", undefined, undefined]);
  });

  it("bootstraps anyway when cloud-init reports an error or warnings, and stops if it never finishes", () => {
    const degraded = runStep(bootstrapStepCommand(EC2, STAND_IN), { cloudInit: 2, toolkit: STAND_IN });
    expect([degraded.status, degraded.stderr]).toEqual([0, ""]);
    expect(degraded.stdout).toBe(
      `gamedb-bootstrap: cloud-init reported exit 2; bootstrapping anyway\n8.4.3\0ebs:vol-0123456789abcdef0\0/var/lib/mysql\0${ran()}`,
    );
    const stuck = runStep(bootstrapStepCommand(EC2, STAND_IN), { cloudInit: 124, toolkit: STAND_IN });
    expect([stuck.status, stuck.stdout, stuck.stderr]).toEqual([
      1,
      "",
      "gamedb-bootstrap: cloud-init did not finish within 1800 seconds\n",
    ]);
    expect([stuck.env, stuck.log]).toEqual([undefined, undefined]);
  });

  it("refuses to run without the env file", () => {
    const { sha256 } = entryFiles(STAND_IN, "host/bootstrap");
    const r = runStep(`exec bash ${TOOLKIT_ROOT}/current/bin/gamedb-step host/bootstrap ${sha256}`, {
      toolkit: STAND_IN,
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([
      1,
      "",
      "gamedb-bootstrap: the step carries no environment file (fd 4)\n",
    ]);
  });
});

/** Any string a shell variable can hold (no NUL). */
const value = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0"));

describe("inputs reach the script unchanged, whatever their quotes and spaces", () => {
  it("through the env file", () => {
    fc.assert(
      fc.property(value, value, value, (mysqlVersion, dataDevice, dataDir) => {
        const envFile = path.join(tmp, "bootstrap.env");
        fs.writeFileSync(envFile, bootstrapEnvFile({ mysqlVersion, dataDevice, dataDir }));
        const result = bash(["-c", `set -a\n. "$1"\nset +a\n${PRINT_INPUTS}`, "_", envFile]);
        expect(result.status).toBe(0);
        expect(result.stdout).toBe(`${mysqlVersion}\0${dataDevice}\0${dataDir}\0`);
      }),
      { numRuns: 60 },
    );
  });

  it("through the bootstrap step, run by the toolkit on a host", () => {
    const noDelimiter = value.filter((s) => !s.split("\n").includes(FILE_END));
    fc.assert(
      fc.property(noDelimiter, noDelimiter, noDelimiter, (mysqlVersion, dataDevice, dataDir) => {
        const r = runStep(bootstrapStepCommand({ mysqlVersion, dataDevice, dataDir }, STAND_IN), { toolkit: STAND_IN });
        expect([r.status, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toBe(`${mysqlVersion}\0${dataDevice}\0${dataDir}\0${ran()}`);
      }),
      { numRuns: 25 },
    );
  });
});
