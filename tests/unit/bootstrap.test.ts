/**
 * The host bootstrap: bootstrap.sh (static checks, and its input validation run for real) and how cloudInit.ts
 * ships it (cloud-init user data, the static-host command, the EC2 wait command).
 *
 * Nothing here runs the install path: it needs root on Ubuntu 24.04 and MySQL's repository. Every run of the script
 * below fails validation or passes --validate-only, both of which exit before touching the machine.
 * Needs shellcheck and gnupg (gpg).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parse, parseDocument } from "yaml";
import {
  BOOTSTRAP_ENV_PATH,
  BOOTSTRAP_INSTALL_PATH,
  BOOTSTRAP_MARKER_PATH,
  BOOTSTRAP_SCRIPT,
  BootstrapInput,
  USER_DATA_LIMIT,
  USER_DATA_RUN,
  bootstrapCommand,
  bootstrapEnvFile,
  renderUserData,
  waitForBootstrapCommand,
} from "../../infra/mysql/cloudInit";
import { shellcheck } from "../helpers/shellcheck";

const SCRIPT_FILE = path.join(__dirname, "../../infra/mysql/bootstrap/bootstrap.sh");
const SCRIPT = fs.readFileSync(SCRIPT_FILE, "utf8");
const EC2: BootstrapInput = {
  mysqlVersion: "8.4.3",
  dataDevice: "ebs:vol-0123456789abcdef0",
  dataDir: "/var/lib/mysql",
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

/** The command text of bootstrapCommand without its `sudo -n` (the tests do not run as root through sudo). */
function withoutSudo(command: string): string {
  expect(command.startsWith("sudo -n env ")).toBe(true);
  return command.slice("sudo -n ".length);
}

describe("bootstrap.sh", () => {
  it("passes shellcheck at every severity", () => {
    expect(shellcheck(SCRIPT)).toEqual([]);
  });

  it("is bash with errexit, nounset and pipefail, and is what cloudInit.ts ships", () => {
    expect(SCRIPT.split("\n")[0]).toBe("#!/usr/bin/env bash");
    expect(SCRIPT).toMatch(/^set -euo pipefail$/m);
    expect(BOOTSTRAP_SCRIPT).toBe(SCRIPT);
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

  it("validates the same way when read from stdin, as bootstrapCommand runs it", () => {
    const { command, stdin } = bootstrapCommand({ mysqlVersion: "8.4.x", dataDir: "/var/lib/mysql" });
    const result = bash(["-c", withoutSudo(command)], {}, stdin);
    expect([result.status, result.stderr]).toEqual([2, VERSION_ERROR("8.4.x")]);
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

describe("renderUserData", () => {
  const userData = renderUserData(EC2);

  it("is a #cloud-config YAML document that parses cleanly", () => {
    expect(userData.split("\n")[0]).toBe("#cloud-config");
    const doc = parseDocument(userData);
    expect([doc.errors, doc.warnings]).toEqual([[], []]);
  });

  it("writes the script byte for byte, its inputs, and runs it once with output to the log", () => {
    expect(parse(userData)).toEqual({
      write_files: [
        { path: BOOTSTRAP_INSTALL_PATH, owner: "root:root", permissions: "0755", content: SCRIPT },
        {
          path: BOOTSTRAP_ENV_PATH,
          owner: "root:root",
          permissions: "0644",
          content: [
            "# Generated by gamedb: the inputs of /usr/local/sbin/gamedb-bootstrap (sourced by bash).",
            "GAMEDB_MYSQL_VERSION='8.4.3'",
            "GAMEDB_DATA_DEVICE='ebs:vol-0123456789abcdef0'",
            "GAMEDB_DATA_DIR='/var/lib/mysql'",
            "",
          ].join("\n"),
        },
      ],
      runcmd: [["bash", "-c", USER_DATA_RUN]],
    });
    expect(USER_DATA_RUN).toContain("/usr/local/sbin/gamedb-bootstrap 2>&1 | tee -a /var/log/gamedb-bootstrap.log");
  });

  it("leaves the data device out when there is none", () => {
    expect(bootstrapEnvFile({ mysqlVersion: "8.4.3", dataDir: "/var/lib/mysql" })).not.toContain("GAMEDB_DATA_DEVICE");
  });

  it("stays under EC2's 16 KiB user data limit, and refuses to exceed it", () => {
    const longest = renderUserData({ ...EC2, dataDir: `/${"d".repeat(200)}` });
    expect(Buffer.byteLength(longest)).toBeLessThan(USER_DATA_LIMIT);
    expect(USER_DATA_LIMIT).toBe(16384);
    expect(() => renderUserData({ ...EC2, dataDir: `/${"d".repeat(USER_DATA_LIMIT)}` })).toThrow(
      "EC2 accepts at most 16384",
    );
  });

  it("runs the script through a runcmd that passes shellcheck", () => {
    expect(shellcheck(USER_DATA_RUN)).toEqual([]);
  });
});

/** Any string a shell variable can hold (no NUL). */
const value = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0"));
const PRINT_INPUTS = 'printf "%s\\0" "$GAMEDB_MYSQL_VERSION" "${GAMEDB_DATA_DEVICE-}" "$GAMEDB_DATA_DIR"';

describe("inputs reach the script unchanged, whatever their quotes and spaces", () => {
  it("through the user data's env file", () => {
    fc.assert(
      fc.property(value, value, value, (mysqlVersion, dataDevice, dataDir) => {
        const parsed = parse(renderUserData({ mysqlVersion, dataDevice, dataDir })) as {
          write_files: { content: string }[];
        };
        const envFile = path.join(tmp, "bootstrap.env");
        fs.writeFileSync(envFile, parsed.write_files[1]?.content ?? "");
        const result = bash(["-c", `set -a\n. "$1"\nset +a\n${PRINT_INPUTS}`, "_", envFile]);
        expect(result.status).toBe(0);
        expect(result.stdout).toBe(`${mysqlVersion}\0${dataDevice}\0${dataDir}\0`);
      }),
      { numRuns: 60 },
    );
  });

  it("through the static-host command text", () => {
    fc.assert(
      fc.property(value, value, value, (mysqlVersion, dataDevice, dataDir) => {
        const { command } = bootstrapCommand({ mysqlVersion, dataDevice, dataDir });
        const result = bash(["-c", withoutSudo(command)], {}, PRINT_INPUTS);
        expect(result.status).toBe(0);
        expect(result.stdout).toBe(`${mysqlVersion}\0${dataDevice}\0${dataDir}\0`);
      }),
      { numRuns: 60 },
    );
  });
});

describe("bootstrapCommand", () => {
  it("runs the script from stdin as root with the inputs set, and passes shellcheck", () => {
    const run = bootstrapCommand({ mysqlVersion: "8.4.3", dataDevice: "/dev/nvme1n1", dataDir: "/var/lib/mysql" });
    expect(run).toEqual({
      command:
        "sudo -n env GAMEDB_MYSQL_VERSION='8.4.3' GAMEDB_DATA_DEVICE='/dev/nvme1n1' GAMEDB_DATA_DIR='/var/lib/mysql' bash -s",
      stdin: SCRIPT,
    });
    expect(shellcheck(run.command)).toEqual([]);
    expect(shellcheck(bootstrapCommand({ mysqlVersion: "8.4.3", dataDir: "/var/lib/mysql" }).command)).toEqual([]);
  });
});

describe("waitForBootstrapCommand", () => {
  it("passes shellcheck", () => {
    expect(shellcheck(waitForBootstrapCommand())).toEqual([]);
    expect(shellcheck(waitForBootstrapCommand("8.4.3"))).toEqual([]);
  });

  /** Runs the command with a fake `cloud-init` exiting `rc`, and the marker at a temporary path. */
  function wait(rc: number, marker: string | undefined, expected?: string) {
    const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
    fs.writeFileSync(path.join(bin, "cloud-init"), `#!/bin/sh\nexit ${rc}\n`, { mode: 0o755 });
    const markerFile = path.join(bin, "bootstrap.done");
    if (marker !== undefined) fs.writeFileSync(markerFile, `${marker}\n`);
    const command = waitForBootstrapCommand(expected).replace(BOOTSTRAP_MARKER_PATH, markerFile);
    const result = bash(["-c", command], { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.split("\n")[0] };
  }

  it("succeeds once cloud-init is done and the marker is there", () => {
    expect(wait(0, "8.4.3")).toEqual({
      status: 0,
      stdout: "gamedb-bootstrap: host bootstrapped (MySQL 8.4.3)\n",
      stderr: "",
    });
    expect(wait(2, "8.4.3", "8.4.3").status).toBe(0); // cloud-init 24 exits 2 for warnings ("degraded")
  });

  it.each([
    [1, undefined, undefined, "cloud-init reported an error (cloud-init status exit 1)"],
    [0, undefined, undefined, "cloud-init finished but the bootstrap did not complete"],
    [124, undefined, undefined, "cloud-init did not finish within 1800 seconds"],
    [0, "8.4.2", "8.4.3", "the host was bootstrapped with MySQL 8.4.2, not 8.4.3"],
  ])("fails clearly: cloud-init exit %d, marker %s, expected %s", (rc, marker, expected, why) => {
    expect(wait(rc, marker, expected)).toEqual({
      status: 1,
      stdout: "",
      stderr: `gamedb-bootstrap: bootstrap failed: ${why}. Last lines of /var/log/gamedb-bootstrap.log:`,
    });
  });
});
