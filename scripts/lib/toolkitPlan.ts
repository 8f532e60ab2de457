/**
 * The plan document's toolkit section: the host toolkit (infra/toolkit/build.ts) as plain JSON, so a later plan can
 * be compared with it file by file, and a PR comment can show the scripts' diffs without this checkout's base.
 */
import type { PlanDocument, PlanToolkit } from "./planDocument";
import { Toolkit, currentToolkit } from "../../infra/toolkit/build";

/** The toolkit as the plan records it. Pure. */
export function toolkitSection(toolkit: Toolkit): PlanToolkit {
  const files: PlanToolkit["files"] = {};
  for (const [path, f] of toolkit.files) files[path] = { sha256: f.sha256, text: f.text };
  const entries: PlanToolkit["entries"] = {};
  for (const entry of Object.keys(toolkit.entries).sort()) entries[entry] = [...toolkit.entries[entry]!];
  return { version: toolkit.version, files, entries };
}

/**
 * The plan with the toolkit its steps were written with. evaluate() runs the program on this checkout, whose steps
 * name currentToolkit()'s hashes, so that is the default.
 */
export function withToolkit(doc: PlanDocument, toolkit: Toolkit = currentToolkit()): PlanDocument {
  return { ...doc, toolkit: toolkitSection(toolkit) };
}
