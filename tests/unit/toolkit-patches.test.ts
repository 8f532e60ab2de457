/** The PR comment's unified diffs of toolkit files and their caps (scripts/lib/prComment/toolkitPatches.ts). */
import { cutToLength, diffBlock, fenceFor, unifiedDiff } from "../../scripts/lib/prComment/toolkitPatches";

describe("toolkit patches", () => {
  it("writes a unified diff with git's file names, 3 lines of context", () => {
    const base = ["a", "b", "c", "d", "e", "f", "g", "h"].join("\n") + "\n";
    const head = base.replace("e\n", "E\n");
    expect(unifiedDiff("adminapi/x.js", base, head)).toBe(
      [
        "--- a/adminapi/x.js",
        "+++ b/adminapi/x.js",
        "@@ -2,7 +2,7 @@",
        " b",
        " c",
        " d",
        "-e",
        "+E",
        " f",
        " g",
        " h",
        "",
      ].join("\n"),
    );
  });

  it("names /dev/null for an added or removed file", () => {
    expect(unifiedDiff("lib/new.sh", undefined, "x\n")).toBe("--- /dev/null\n+++ b/lib/new.sh\n@@ -0,0 +1,1 @@\n+x\n");
    expect(unifiedDiff("lib/old.sh", "x\n", undefined)).toBe("--- a/lib/old.sh\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n");
  });

  it("cuts at whole lines within the limit and counts what it cut", () => {
    expect(cutToLength("aaa\nbbb\nccc\n", 8)).toEqual({ text: "aaa\nbbb", cutLines: 1, totalLines: 3 });
    expect(cutToLength("aaa\nbbb\nccc\n", 12)).toEqual({ text: "aaa\nbbb\nccc", cutLines: 0, totalLines: 3 });
    expect(cutToLength("aaa\nbbb\nccc\n", 7)).toEqual({ text: "aaa", cutLines: 2, totalLines: 3 });
  });

  it("fences longer than any backtick run in the diff", () => {
    expect(fenceFor("no ticks")).toBe("```");
    expect(fenceFor("+ ```js\n+ x\n+ ```")).toBe("````");
    expect(fenceFor("a ````` b")).toBe("``````");
  });

  it("says how much of a long diff was cut", () => {
    const patch = Array.from({ length: 100 }, (_, i) => `+line ${i}`).join("\n") + "\n";
    const block = diffBlock(patch, 100);
    expect(block[0]).toBe("```diff");
    expect(block[1]!.length).toBeLessThanOrEqual(100);
    expect(block[1]!.split("\n")).toEqual(Array.from({ length: 12 }, (_, i) => `+line ${i}`));
    expect(block[2]).toBe("```");
    expect(block[3]).toBe(
      "… 88 of this diff's 100 lines cut (at most 100 characters a file): see the pull request's files.",
    );
    expect(diffBlock("+x\n", 100)).toEqual(["```diff", "+x", "```"]);
  });
});
