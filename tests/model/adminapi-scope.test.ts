/**
 * tsc checks the AdminAPI scripts as one global scope (infra/mysql/adminapi/tsconfig.json), but each script ships
 * with only its own helpers (index.ts adminApiScriptFiles). This checks what tsc cannot: no script uses a top-level
 * name that only a file it does not ship with declares.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ADMINAPI_SCRIPTS, adminApiScriptFiles } from "../../infra/mysql/adminapi";

const DIR = path.join(__dirname, "../../infra/mysql/adminapi");

function parse(file: string): ts.SourceFile {
  const text = fs.readFileSync(path.join(DIR, file), "utf8");
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2017, true, ts.ScriptKind.JS);
}

/** The names a file declares at its top level (functions and vars). */
function declared(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) out.add(st.name.text);
    if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) out.add(d.name.text);
  }
  return out;
}

/** The identifiers a file refers to (not property names after a dot or in an object literal). */
function referenced(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isProperty =
        (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n);
      if (!isProperty) out.add(n.text);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".js"));
const decl = new Map(files.map((f) => [f, declared(parse(f))]));

describe("each AdminAPI script uses only what it ships with", () => {
  test.each(ADMINAPI_SCRIPTS)("%s", (name) => {
    const own = adminApiScriptFiles(name);
    const visible = new Set(own.flatMap((f) => [...decl.get(f)!]));
    const elsewhere = new Map<string, string>();
    for (const f of files) if (!own.includes(f)) for (const n of decl.get(f)!) if (!visible.has(n)) elsewhere.set(n, f);
    const leaks = own.flatMap((f) =>
      [...referenced(parse(f))].filter((n) => elsewhere.has(n)).map((n) => `${f} uses ${n} (${elsewhere.get(n)})`),
    );
    expect(leaks).toEqual([]);
  });

  test("every .js file here is a script or a helper some script ships with", () => {
    const used = new Set(ADMINAPI_SCRIPTS.flatMap((n) => adminApiScriptFiles(n)));
    expect(files.filter((f) => !used.has(f))).toEqual([]);
  });
});
