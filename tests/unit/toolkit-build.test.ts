/**
 * The toolkit's build and contract (infra/toolkit/build.ts, infra/contracts/toolkit.ts): the version is the
 * MANIFEST's hash, a step names exactly its files' hash (so a change to one file changes only the steps that run
 * it), and a step's command text reads back to what was written.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import {
  FILE_END,
  PARAMS_END,
  installCommand,
  parseInstallCommand,
  parseStepCommand,
  sha256,
  stepCommand,
} from "../../infra/contracts/toolkit";
import { buildToolkit, currentToolkit, entryFiles, toolkitDirectory } from "../../infra/toolkit/build";
import { readToolkitSources } from "../../infra/toolkit/sources";
import { ADMINAPI_SCRIPTS, adminApiScript } from "../../infra/mysql/adminapi";

describe("buildToolkit", () => {
  const tk = currentToolkit();

  it("versions the toolkit by its MANIFEST: every file's sha256sum line, sorted by path", () => {
    const paths = [...tk.files.keys()];
    expect(paths).toEqual([...paths].sort());
    expect(tk.manifest).toBe(paths.map((p) => `${sha256(tk.files.get(p)!.text)}  ${p}\n`).join(""));
    expect(tk.version).toBe(sha256(tk.manifest).slice(0, 16));
  });

  it("holds each entry's list as a file, launcher first", () => {
    for (const [entry, list] of Object.entries(tk.entries))
      expect(tk.files.get(`entries/${entry}`)!.text).toBe(`${list.join("\n")}\n`);
    expect(tk.entries["adminapi/converge-cluster"]![0]).toBe("lib/adminapi.sh");
  });

  it("an AdminAPI entry's .js files, joined with newlines, are the script the model tests run", () => {
    for (const name of ADMINAPI_SCRIPTS) {
      const js = tk.entries[`adminapi/${name}`]!.filter((p) => p.endsWith(".js"));
      expect(js.map((p) => tk.files.get(p)!.text).join("\n")).toBe(adminApiScript(name));
    }
  });

  it("a change to one file changes the hash of exactly the entries that list it, and the version", () => {
    const sources = readToolkitSources();
    const before = Object.fromEntries(Object.keys(tk.entries).map((e) => [e, entryFiles(tk, e).sha256]));
    for (const path of Object.keys(sources.files)) {
      const changed = buildToolkit({ ...sources, files: { ...sources.files, [path]: `${sources.files[path]}\n` } });
      expect(changed.version).not.toBe(tk.version);
      const differ = Object.keys(tk.entries).filter((e) => entryFiles(changed, e).sha256 !== before[e]);
      const listing = Object.keys(tk.entries).filter((e) => tk.entries[e]!.includes(path));
      expect([path, differ]).toEqual([path, listing]);
    }
  });

  it("refuses an entry that lists a file the toolkit does not have, or no file", () => {
    const sources = readToolkitSources();
    expect(() => buildToolkit({ ...sources, entries: { x: ["lib/missing.sh"] } })).toThrow(
      "toolkit entry x lists lib/missing.sh, which is not a file",
    );
    expect(() => buildToolkit({ ...sources, entries: { x: [] } })).toThrow("lists no files");
    expect(() => entryFiles(tk, "nope")).toThrow(/unknown toolkit entry "nope"; entries: /);
  });
});

describe("toolkitDirectory", () => {
  it("writes the version once, with its MANIFEST, and the runner and installer executable", () => {
    const base = mkdtempSync(join(tmpdir(), "gamedb-toolkit-build-"));
    const tk = currentToolkit();
    const dir = toolkitDirectory(tk, base);
    expect(dir).toBe(join(base, tk.version));
    expect(toolkitDirectory(tk, base)).toBe(dir);
    expect(readdirSync(base)).toEqual([tk.version]);
    expect(readFileSync(join(dir, "MANIFEST"), "utf8")).toBe(tk.manifest);
    for (const [path, f] of tk.files) expect(readFileSync(join(dir, path), "utf8")).toBe(f.text);
    expect(statSync(join(dir, "bin/gamedb-step")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, "bin/gamedb-toolkit-install")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, "lib/adminapi.sh")).mode & 0o777).toBe(0o644);
  });

  it("names a directory under the working directory by a relative path (the same on every machine)", () => {
    expect(toolkitDirectory(currentToolkit())).toBe(join(".gamedb", "toolkit", currentToolkit().version));
  });
});

describe("step command texts", () => {
  const hash = "a".repeat(64);
  const json = fc.jsonValue().filter((v) => v !== undefined);

  it("read back to exactly what they were written with: entry, hash, params, file and note", () => {
    const file = fc.string().filter((f) => !f.split("\n").includes(FILE_END));
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    fc.assert(
      fc.property(maybe(json), maybe(file), maybe(fc.string()), (params, f, note) => {
        const text = stepCommand({ entry: "adminapi/join-member", sha256: hash, params, file: f, note });
        const parsed = parseStepCommand(text)!;
        expect(parsed).toEqual({
          entry: "adminapi/join-member",
          sha256: hash,
          params: params === undefined ? undefined : JSON.parse(JSON.stringify(params)),
          file: f === undefined ? undefined : f.endsWith("\n") ? f : `${f}\n`,
          note: note ? note.replace(/\n/g, " ") : undefined,
        });
        expect(stepCommand(parsed)).toBe(text);
      }),
    );
  });

  it("reads no text that only starts like a step", () => {
    const text = stepCommand({ entry: "host/bootstrap", sha256: hash, file: "x" });
    expect(parseStepCommand(`${text}rm -rf /\n`)).toBeUndefined();
    expect(parseStepCommand(text.replace("set -eu\n", ""))).toBeUndefined();
    expect(parseStepCommand(text.replace(/GAMEDB_FILE\n$/, ""))).toBeUndefined();
  });

  it("carries no params or file when none are given, and refuses a file line that would end its heredoc", () => {
    expect(stepCommand({ entry: "host/bootstrap", sha256: hash })).toBe(
      `set -eu\nexec bash /opt/gamedb/toolkit/current/bin/gamedb-step host/bootstrap ${hash}\n`,
    );
    expect(parseStepCommand(stepCommand({ entry: "host/bootstrap", sha256: hash, file: "x" }))).toEqual({
      entry: "host/bootstrap",
      sha256: hash,
      file: "x\n",
    });
    expect(() => stepCommand({ entry: "e", sha256: hash, file: `a\n${FILE_END}\nb` })).toThrow(/would end its heredoc/);
    expect(PARAMS_END).not.toBe(FILE_END);
  });

  it("refuses a bad entry, hash or version, naming the rule", () => {
    expect(() => stepCommand({ entry: "../etc", sha256: hash })).toThrow(/toolkit entry "\.\.\/etc" must match/);
    expect(() => stepCommand({ entry: "e", sha256: "abc" })).toThrow(/must be 64 hex digits/);
    expect(() => installCommand("xyz")).toThrow(/must be 16 hex digits/);
    expect(parseStepCommand("echo hi")).toBeUndefined();
    expect(parseStepCommand(42)).toBeUndefined();
  });

  it("reads the version back from an install step's text, and nothing from any other text", () => {
    const v = "0123456789abcdef";
    expect(parseInstallCommand(installCommand(v))).toBe(v);
    expect(parseInstallCommand(`${installCommand(v)}rm -rf /\n`)).toBeUndefined();
    expect(parseInstallCommand(installCommand(v).replace("exec bash", "bash"))).toBeUndefined();
    expect(parseInstallCommand(stepCommand({ entry: "host/bootstrap", sha256: hash }))).toBeUndefined();
    expect(parseInstallCommand(undefined)).toBeUndefined();
  });
});
