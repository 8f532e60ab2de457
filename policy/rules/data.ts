/** Data-safety rules: what holds data survives config edits and refactors in prod. */
import { Rule } from "./model";
import { BUCKETS } from "./s3";
import { VOLUMES } from "./ec2";

export const dataRules: Rule[] = [
  {
    id: "GDB-DATA-001",
    title: "In prod, data volumes and buckets are protected and retained on delete",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: [...VOLUMES, ...BUCKETS],
    check: (r, ctx) => {
      if (ctx.plan.environment !== "prod") return [];
      const reasons: string[] = [];
      if (!r.options.protect) reasons.push("protect is not set: a config edit could delete it");
      // retainOnDelete keeps the data if the resource ever leaves the program (rename, refactor, stack removal).
      if (r.options.retainOnDelete === false) reasons.push("retainOnDelete is not set");
      return reasons;
    },
  },
];
