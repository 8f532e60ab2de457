/** The comment's resource sections: the warning about stateful resources, and the table of every change. */
import type { ChangeSummary, ResourceChange } from "./changes";
import { capped, cell, code, plural } from "./markdown";
import { STATEFUL_TYPES } from "./replacement";

/** The caution block over stateful resources replaced or deleted; [] when there are none. */
export function statefulWarning(s: ChangeSummary, max: number): string[] {
  const replaced = s.replaced.filter((c) => c.stateful);
  const deleted = s.deleted.filter((r) => STATEFUL_TYPES.includes(r.type));
  if (replaced.length === 0 && deleted.length === 0) return [];
  const lines = [
    "> [!CAUTION]",
    `> 🔴 **This change replaces or deletes ${plural(replaced.length + deleted.length, "stateful resource")}.** The data on ${replaced.length + deleted.length === 1 ? "it" : "them"} is lost unless restored from backup.`,
    ">",
  ];
  lines.push(
    ...capped(
      replaced,
      max,
      (c) =>
        `> - **replace** ${code(c.type)} ${code(c.name)}: ${c.replacedBy.map(code).join(", ")} cannot change in place`,
    ).map((l) => (l.startsWith(">") ? l : `> ${l}`)),
  );
  lines.push(
    ...capped(deleted, max, (r) => {
      const fate = r.options.protect
        ? "protected: the deletion will fail until `protect` is lifted"
        : r.options.retainOnDelete
          ? "retainOnDelete: it stays in the cloud, outside the stack"
          : "it is destroyed";
      return `> - **delete** ${code(r.type)} ${code(r.name)}: ${fate}`;
    }).map((l) => (l.startsWith(">") ? l : `> ${l}`)),
  );
  return lines;
}

/** The "Resources" section: the counts, and the changes in a collapsed table. */
export function resourcesSection(s: ChangeSummary, max: number): string[] {
  const counts = `${s.created.length} to create · ${s.updated.length} to update · ${s.replaced.length} to replace · ${s.deleted.length} to delete · ${s.unchanged} unchanged`;
  const rows: string[] = [];
  const describe = (c: ResourceChange) =>
    [...c.paths.map(code), ...c.options.map((o) => `option ${code(o)}`)].join(", ");
  const replacement = (c: ResourceChange) => {
    const also = c.paths.filter((p) => !c.replacedBy.includes(p));
    return `${c.replacedBy.map(code).join(", ")} cannot change in place${also.length ? `; also ${also.map(code).join(", ")}` : ""}`;
  };
  rows.push(
    ...capped(
      s.replaced,
      max,
      (c) => `| ${c.stateful ? "🔴 " : ""}± replace | ${code(c.type)} | ${code(c.name)} | ${cell(replacement(c))} |`,
    ),
  );
  rows.push(
    ...capped(
      s.deleted,
      max,
      (r) =>
        `| ${STATEFUL_TYPES.includes(r.type) ? "🔴 " : ""}- delete | ${code(r.type)} | ${code(r.name)} | ${r.options.protect ? "protected: deletion fails" : r.options.retainOnDelete ? "retained in the cloud" : ""} |`,
    ),
  );
  rows.push(...capped(s.created, max, (r) => `| + create | ${code(r.type)} | ${code(r.name)} | |`));
  rows.push(
    ...capped(s.updated, max, (c) => `| ~ update | ${code(c.type)} | ${code(c.name)} | ${cell(describe(c))} |`),
  );
  rows.push(
    ...capped(
      s.ignored,
      max,
      (c) => `| = unchanged | ${code(c.type)} | ${code(c.name)} | changes only inputs under ignoreChanges |`,
    ),
  );
  const lines = ["#### Resources", "", counts];
  if (rows.length > 0)
    lines.push(
      "",
      "<details><summary>Resource changes</summary>",
      "",
      "| | type | name | what changes |",
      "| --- | --- | --- | --- |",
      ...rows.map((r) => (r.startsWith("|") ? r : `| | ${r} | | |`)),
      "",
      "</details>",
    );
  return lines;
}
