/**
 * The AdminAPI script loader (infra/mysql/adminapi/index.ts adminApiScript): the exact text each script is, as sent
 * to hosts. Registered for both Shell releases the model imitates (helpers.ts describeEachShell), like the rest of the
 * script suite, though the loader does not depend on the release.
 */
import * as vm from "vm";
import * as fs from "fs";
import * as path from "path";
import { ADMINAPI_HELPERS, ADMINAPI_SCRIPTS, adminApiScript, adminApiScriptFiles } from "../../infra/mysql/adminapi";
import { describeEachShell } from "./helpers";

describeEachShell(() => {
  describe("adminApiScript", () => {
    test("lists the five scripts; each is the shared helpers, its own helpers, then the script, joined by newlines", () => {
      expect([...ADMINAPI_SCRIPTS]).toEqual([
        "configure-instance",
        "converge-cluster",
        "join-member",
        "leave-member",
        "setup-accounts",
      ]);
      const dir = path.join(__dirname, "../../infra/mysql/adminapi");
      for (const name of ADMINAPI_SCRIPTS) {
        const files = adminApiScriptFiles(name);
        expect(files.slice(0, ADMINAPI_HELPERS.length)).toEqual([...ADMINAPI_HELPERS]);
        expect(files[files.length - 1]).toBe(`${name}.js`);
        const text = adminApiScript(name);
        expect(text).toBe(files.map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n"));
        expect(text).toContain(`gamedbMain("${name}"`);
      }
      expect(adminApiScriptFiles("converge-cluster")).toContain("restart.js");
      expect(adminApiScriptFiles("join-member")).not.toContain("restart.js");
    });

    test("every script parses and uses no require (mysqlsh gets a single file)", () => {
      for (const name of ADMINAPI_SCRIPTS) {
        const text = adminApiScript(name);
        expect(() => new vm.Script(text)).not.toThrow();
        expect(text).not.toMatch(/\brequire\s*\(/);
      }
    });

    test("an unknown script name is refused", () => {
      expect(() => adminApiScript("nope" as never)).toThrow(/unknown AdminAPI script/);
    });
  });
});
