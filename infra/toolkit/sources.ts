/**
 * What the host toolkit is made of: every file by its path in the toolkit, read from where it lives in this repo, and
 * the entries steps run (the files each one runs, launcher first). A file added here is delivered to every host; an
 * entry's list decides which steps re-run when a file changes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ADMINAPI_SCRIPTS, AdminApiScriptName, adminApiScriptFiles } from "../mysql/adminapi";

const INFRA = join(__dirname, "..");
/** The backup jobs' scripts (infra/backup/host), each installed as /usr/local/sbin/<name without .sh>. */
const BACKUP_SCRIPTS = ["gamedb-backup.sh", "gamedb-binlog-ship.sh", "gamedb-alert.sh"];

/** Toolkit path -> source file (absolute). */
function sourceFiles(): Record<string, string> {
  const adminapi = new Set(ADMINAPI_SCRIPTS.flatMap((name) => adminApiScriptFiles(name)));
  return {
    "bin/gamedb-step": join(__dirname, "host", "gamedb-step"),
    "bin/gamedb-toolkit-install": join(__dirname, "host", "gamedb-toolkit-install"),
    "lib/adminapi.sh": join(__dirname, "host", "adminapi.sh"),
    "lib/install-tls.sh": join(__dirname, "host", "install-tls.sh"),
    "lib/install-mycnf.sh": join(__dirname, "host", "install-mycnf.sh"),
    "lib/bootstrap.sh": join(__dirname, "host", "bootstrap.sh"),
    "lib/backup-install.sh": join(__dirname, "host", "backup-install.sh"),
    "host/bootstrap.sh": join(INFRA, "mysql", "bootstrap", "bootstrap.sh"),
    ...Object.fromEntries([...adminapi].sort().map((f) => [`adminapi/${f}`, join(INFRA, "mysql", "adminapi", f)])),
    ...Object.fromEntries(BACKUP_SCRIPTS.map((f) => [`backup/${f}`, join(INFRA, "backup", "host", f)])),
  };
}

/**
 * The entry that runs one AdminAPI script: the launcher, for configure the TLS files' and my.cnf's installers (TLS
 * first: my.cnf names the files, and a stopped mysqld starts with it), then the script's files.
 */
export function adminApiEntry(name: AdminApiScriptName): string {
  return `adminapi/${name}`;
}

/** The host bootstrap (MySQL, MySQL Shell, the data volume). */
export const BOOTSTRAP_ENTRY = "host/bootstrap";

/** The backup jobs' install (infra/backup/host/installStep.ts): the launcher, then the scripts it installs. */
export const BACKUP_ENTRY = "backup/install";

/** Entry -> the toolkit paths it runs, launcher first. */
function entries(): Record<string, string[]> {
  const out: Record<string, string[]> = {
    [BOOTSTRAP_ENTRY]: ["lib/bootstrap.sh", "host/bootstrap.sh"],
    [BACKUP_ENTRY]: ["lib/backup-install.sh", ...BACKUP_SCRIPTS.map((f) => `backup/${f}`)],
  };
  for (const name of ADMINAPI_SCRIPTS) {
    const mycnf = name === "configure-instance" ? ["lib/install-tls.sh", "lib/install-mycnf.sh"] : [];
    out[adminApiEntry(name)] = ["lib/adminapi.sh", ...mycnf, ...adminApiScriptFiles(name).map((f) => `adminapi/${f}`)];
  }
  return out;
}

export interface ToolkitSources {
  /** Toolkit path -> content. */
  readonly files: Record<string, string>;
  /** Entry -> toolkit paths, launcher first. */
  readonly entries: Record<string, string[]>;
}

/** Reads every source file (buildToolkit checks that each entry lists files the toolkit has). */
export function readToolkitSources(): ToolkitSources {
  const files = Object.fromEntries(Object.entries(sourceFiles()).map(([p, src]) => [p, readFileSync(src, "utf8")]));
  return { files, entries: entries() };
}
