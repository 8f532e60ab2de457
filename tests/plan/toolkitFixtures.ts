/**
 * Toolkits and plans for the toolkit review tests: a toolkit built from hand-made sources (infra/toolkit/build.ts),
 * the sources of a plan's toolkit section with one file edited, and a plan whose steps are rewritten to name another
 * toolkit's hashes, as the program would have written them with that toolkit.
 */
import { parseStepCommand } from "../../infra/contracts/toolkit";
import { Toolkit, buildToolkit, entryFiles } from "../../infra/toolkit/build";
import type { ToolkitSources } from "../../infra/toolkit/sources";
import type { PlanDocument, PlanToolkit } from "../../scripts/lib/planDocument";
import { STEP_FIELDS } from "../../scripts/lib/toolkitDiff";
import { toolkitSection } from "../../scripts/lib/toolkitPlan";

/** A small toolkit: a launcher, shared helpers, three entries, and a runner and installer no entry lists. */
export function fakeSources(): ToolkitSources {
  return {
    files: {
      "bin/gamedb-step": '#!/bin/bash\n# runner\nexec "$@"\n',
      "bin/gamedb-toolkit-install": "#!/bin/bash\n# installer\n",
      "lib/adminapi.sh": '#!/bin/bash\nset -eu\nmysqlsh --js -f "$1"\n',
      "adminapi/common.js": "function ok() {\n  return 1;\n}\n",
      "adminapi/converge.js": "ok();\nprintln('converge');\n",
      "adminapi/join.js": "ok();\nprintln('join');\n",
      "adminapi/leave.js": "ok();\nprintln('leave');\n",
    },
    entries: {
      "adminapi/converge": ["lib/adminapi.sh", "adminapi/common.js", "adminapi/converge.js"],
      "adminapi/join": ["lib/adminapi.sh", "adminapi/common.js", "adminapi/join.js"],
      "adminapi/leave": ["lib/adminapi.sh", "adminapi/common.js", "adminapi/leave.js"],
    },
  };
}

/** The sources a plan's toolkit section was built from (the entries' list files are rebuilt by buildToolkit). */
export function sourcesOf(t: PlanToolkit): ToolkitSources {
  const files = Object.fromEntries(
    Object.entries(t.files)
      .filter(([path]) => !path.startsWith("entries/"))
      .map(([path, f]) => [path, f.text]),
  );
  return { files, entries: JSON.parse(JSON.stringify(t.entries)) as Record<string, string[]> };
}

/** The sources with `edit` applied to one file's text. */
export function edited(s: ToolkitSources, path: string, edit: (text: string) => string): ToolkitSources {
  if (!(path in s.files)) throw new Error(`no toolkit file ${path}`);
  return { ...s, files: { ...s.files, [path]: edit(s.files[path]!) } };
}

/**
 * The plan as the program would have written it with `toolkit`: every step names that toolkit's entry hash, and every
 * install command its version (infra/contracts/toolkit.ts installCommand names it).
 */
export function planWith(doc: PlanDocument, toolkit: Toolkit): PlanDocument {
  const copy = JSON.parse(JSON.stringify(doc)) as PlanDocument;
  const version = doc.toolkit?.version;
  for (const r of copy.resources)
    for (const field of STEP_FIELDS) {
      const text = r.inputs[field];
      if (typeof text !== "string") continue;
      const step = parseStepCommand(text);
      if (step)
        r.inputs[field] = text.replace(
          ` ${step.entry} ${step.sha256}`,
          ` ${step.entry} ${entryFiles(toolkit, step.entry).sha256}`,
        );
      else if (version && text.startsWith(`# gamedb toolkit ${version}\n`))
        r.inputs[field] = text.replaceAll(version, toolkit.version);
    }
  return { ...copy, toolkit: toolkitSection(toolkit) };
}

export { buildToolkit };
