/**
 * The file bundle contract (infra/contracts/fileBundle.ts): what renderFileBundle writes, parseFileBundle reads back,
 * and what either refuses. The host's reader (infra/toolkit/host/backup-install.sh) is run on bundles in
 * backup-install.test.ts.
 */
import fc from "fast-check";
import { BundleFile, parseFileBundle, renderFileBundle } from "../../infra/contracts/fileBundle";

describe("renderFileBundle", () => {
  it("writes a header before each file's lines, and a header alone for the stdin file", () => {
    const text = renderFileBundle([
      { path: "/etc/gamedb/backup.env", mode: "0644", content: "A='1'\nGAMEDB_SHARD='shard3'\n" },
      { path: "/etc/systemd/system/gamedb-alert@.service", mode: "0644", content: "[Unit]" },
      { path: "/etc/gamedb/empty", mode: "0644", content: "" },
      { path: "/etc/gamedb/aws-credentials", mode: "0600", stdin: true },
    ]);
    expect(text).toBe(
      "GAMEDB_PUT /etc/gamedb/backup.env 0644\nA='1'\nGAMEDB_SHARD='shard3'\n" +
        "GAMEDB_PUT /etc/systemd/system/gamedb-alert@.service 0644\n[Unit]\n" +
        "GAMEDB_PUT /etc/gamedb/empty 0644\n" +
        "GAMEDB_STDIN /etc/gamedb/aws-credentials 0600\n",
    );
  });

  it.each([
    [{ path: "etc/x", mode: "0644", content: "" }, 'path "etc/x" must match'],
    [{ path: "/etc/../x", mode: "0644", content: "" }, 'path "/etc/../x" must match'],
    [{ path: "/etc/.hidden", mode: "0644", content: "" }, 'path "/etc/.hidden" must match'],
    [{ path: "/etc/a b", mode: "0644", content: "" }, 'path "/etc/a b" must match'],
    [{ path: "/", mode: "0644", content: "" }, 'path "/" must match'],
    [{ path: "/etc/x", mode: "644", content: "" }, 'mode "644" of /etc/x must match'],
    [{ path: "/etc/x", mode: "0648", content: "" }, 'mode "0648" of /etc/x must match'],
    [{ path: "/etc/x", mode: "0644", content: "a\0b" }, "/etc/x holds a NUL character"],
    [{ path: "/etc/x", mode: "0644", content: "a\nGAMEDB_PUT /etc/y 0644\n" }, '/etc/x has a line "GAMEDB_PUT /etc/y'],
    [{ path: "/etc/x", mode: "0644", content: "GAMEDB_STDIN" }, '/etc/x has a line "GAMEDB_STDIN", which would'],
  ])("refuses %o", (file, message) => {
    expect(() => renderFileBundle([file as BundleFile])).toThrow(`file bundle: ${message}`);
  });

  it("refuses a path given twice and a second stdin file", () => {
    const f = { path: "/etc/x", mode: "0644", content: "" };
    expect(() => renderFileBundle([f, f])).toThrow("file bundle: /etc/x is given twice");
    const s = (path: string) => ({ path, mode: "0600", stdin: true as const });
    expect(() => renderFileBundle([s("/etc/a"), s("/etc/b")])).toThrow("only one file can come on stdin");
  });

  it("keeps lines that only resemble a header", () => {
    const content = "GAMEDB_PUTX\n GAMEDB_PUT /etc/y 0644\nGAMEDB_FILE\nGAMEDB_SHARD=1\n";
    expect(parseFileBundle(renderFileBundle([{ path: "/etc/x", mode: "0644", content }]))).toEqual([
      { path: "/etc/x", mode: "0644", content },
    ]);
  });
});

describe("parseFileBundle", () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,8}$/);
  const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join("/")}`);
  const line = fc.string({ maxLength: 12 }).filter((l) => !l.includes("\n") && !l.includes("\0"));
  const content = fc.array(line, { maxLength: 5 }).map((ls) => ls.map((l) => `${l}\n`).join(""));

  it("reads back what renderFileBundle writes", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ path, mode: fc.constantFrom("0644", "0600", "0755"), content }), {
          selector: (f) => f.path,
          maxLength: 5,
        }),
        fc.boolean(),
        (files, withStdin) => {
          const bundle: BundleFile[] = files.filter((f) => !/^(GAMEDB_PUT|GAMEDB_STDIN)( |$)/m.test(f.content));
          if (withStdin && !bundle.some((f) => f.path === "/etc/stdin"))
            bundle.push({ path: "/etc/stdin", mode: "0600", stdin: true });
          expect(parseFileBundle(renderFileBundle(bundle))).toEqual(bundle);
        },
      ),
    );
  });

  it.each([
    ["x\n", "line 1 comes before any header"],
    ["GAMEDB_PUT /etc/x 0644", "does not end with a newline"],
    ["GAMEDB_PUT /etc/x  0644\n", 'line 1 "GAMEDB_PUT /etc/x  0644" is not "<header> <path> <mode>"'],
    ["GAMEDB_PUT /etc/x 0644 y\n", "is not"],
    ["GAMEDB_PUT /etc/./x 0644\n", 'path "/etc/./x" must match'],
    ["GAMEDB_STDIN /etc/x 0600\ny\n", "line 2 follows GAMEDB_STDIN /etc/x, which has no content"],
    ["GAMEDB_PUT /etc/x 0644\nGAMEDB_PUT /etc/x 0644\n", "/etc/x is given twice"],
    ["GAMEDB_STDIN /etc/x 0600\nGAMEDB_STDIN /etc/y 0600\n", "only one file can come on stdin"],
  ])("refuses %j", (text, message) => {
    expect(() => parseFileBundle(text)).toThrow(message);
  });

  it("reads an empty bundle as no files", () => {
    expect(parseFileBundle("")).toEqual([]);
    expect(renderFileBundle([])).toBe("");
  });
});
