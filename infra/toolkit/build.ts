/**
 * A toolkit version from its sources: every file's hash, the entries' lists as files, the MANIFEST and the version
 * (infra/contracts/toolkit.ts). `toolkitDirectory` writes it once per version into the project's .gamedb/toolkit,
 * the directory CopyToRemote sends: the state then holds the archive's path and hash, not its text.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { ENTRY_DIR, MANIFEST_FILE, entryHash, manifestLine, sha256, toolkitVersion } from "../contracts/toolkit";
import { ToolkitSources, readToolkitSources } from "./sources";

export interface ToolkitFile {
  readonly sha256: string;
  readonly text: string;
}

export interface Toolkit {
  readonly version: string;
  /** Toolkit path -> file, MANIFEST excluded, entries' lists included. */
  readonly files: ReadonlyMap<string, ToolkitFile>;
  /** Entry -> toolkit paths, launcher first. */
  readonly entries: Readonly<Record<string, readonly string[]>>;
  readonly manifest: string;
}

/** The toolkit of these sources. Pure. */
export function buildToolkit(sources: ToolkitSources): Toolkit {
  for (const [entry, list] of Object.entries(sources.entries)) {
    if (list.length === 0) throw new Error(`toolkit entry ${entry} lists no files; its first file is its launcher`);
    for (const p of list)
      if (!(p in sources.files)) throw new Error(`toolkit entry ${entry} lists ${p}, which is not a file`);
  }
  const texts: Record<string, string> = { ...sources.files };
  for (const [entry, list] of Object.entries(sources.entries)) texts[`${ENTRY_DIR}/${entry}`] = `${list.join("\n")}\n`;
  const files = new Map<string, ToolkitFile>();
  for (const path of Object.keys(texts).sort()) files.set(path, { sha256: sha256(texts[path]!), text: texts[path]! });
  const manifest = [...files].map(([path, f]) => manifestLine(f.sha256, path)).join("");
  return { version: toolkitVersion(manifest), files, entries: sources.entries, manifest };
}

let current: Toolkit | undefined;

/** The toolkit of this checkout, read once per process. */
export function currentToolkit(): Toolkit {
  return (current ??= buildToolkit(readToolkitSources()));
}

/** The files an entry runs with their hashes, and the hash its steps name. Throws for an unknown entry. */
export function entryFiles(
  toolkit: Toolkit,
  entry: string,
): { files: { path: string; sha256: string }[]; sha256: string } {
  const list = toolkit.entries[entry];
  if (!list) throw new Error(`unknown toolkit entry "${entry}"; entries: ${Object.keys(toolkit.entries).join(", ")}`);
  const files = list.map((path) => ({ path, sha256: toolkit.files.get(path)!.sha256 }));
  return { files, sha256: entryHash(files) };
}

/** The project's directory of built toolkits (git-ignored). */
export const TOOLKIT_BUILD_DIR = join(__dirname, "..", "..", ".gamedb", "toolkit");

/**
 * Writes the toolkit to `<base>/<version>` unless it is there, through a temporary directory and one rename, so
 * concurrent runs never see half a version. Returns the path CopyToRemote is given: relative to the working
 * directory when under it, else absolute (`pulumi up` runs the program in stacks/: an absolute path there, which
 * differs between machines harmlessly, as the provider and the engine compare archives by their hash).
 */
export function toolkitDirectory(toolkit: Toolkit, base = TOOLKIT_BUILD_DIR): string {
  const dir = join(base, toolkit.version);
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    mkdirSync(base, { recursive: true });
    const tmp = mkdtempSync(join(base, `.${toolkit.version}-`));
    for (const [path, f] of toolkit.files) {
      mkdirSync(dirname(join(tmp, path)), { recursive: true });
      writeFileSync(join(tmp, path), f.text, { mode: path.startsWith("bin/") ? 0o755 : 0o644 });
    }
    writeFileSync(join(tmp, MANIFEST_FILE), toolkit.manifest);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      // Another process wrote the same version first: same content by construction.
      if (!existsSync(join(dir, MANIFEST_FILE))) throw e;
    }
  }
  const rel = relative(process.cwd(), dir);
  return rel.startsWith("..") || isAbsolute(rel) ? dir : rel;
}
