/**
 * The command text that installs the backup jobs on a shard host: a toolkit step (entry backup/install) whose fd 4
 * carries this host's files as a file bundle (infra/contracts/fileBundle.ts). The three scripts are in the toolkit;
 * the host's launcher (infra/toolkit/host/backup-install.sh) installs them and the bundle, each file only when it
 * differs, and enables the bundle's timers. The text names the hash of the launcher and the scripts, so it changes
 * (and the step re-runs) only when they or this host's files change. Pure apart from reading the toolkit once.
 */
import { BundleFile, renderFileBundle } from "../../contracts/fileBundle";
import { BACKUP_ENTRY } from "../../toolkit/sources";
import { toolkitStep } from "../../toolkit/step";
import type { Toolkit } from "../../toolkit/build";

export interface InstallOptions {
  /**
   * Install the step's stdin at this path (mode 0600, root), only when it differs. Static hosts receive their AWS
   * credentials file this way: a secret never appears in the command text.
   * @default none: the step reads no stdin
   */
  readonly stdinTo?: string;
}

/** The bundle: every file 0644 in the order given, then the stdin file (0600). */
export function backupFileBundle(files: Record<string, string>, options: InstallOptions = {}): string {
  const bundle: BundleFile[] = Object.entries(files).map(([path, content]) => ({ path, mode: "0644", content }));
  if (options.stdinTo !== undefined) bundle.push({ path: options.stdinTo, mode: "0600", stdin: true });
  return renderFileBundle(bundle);
}

/** The step's command text, for files by absolute path (backupHostFiles). */
export function backupInstallCommand(
  files: Record<string, string>,
  options: InstallOptions = {},
  toolkit?: Toolkit,
): string {
  return toolkitStep(BACKUP_ENTRY, { file: backupFileBundle(files, options) }, toolkit);
}
