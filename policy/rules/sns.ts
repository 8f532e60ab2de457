/** SNS rules: a topic's messages (the alerts) are encrypted at rest with KMS. */
import { Rule } from "./model";

export const snsRules: Rule[] = [
  {
    id: "GDB-SNS-001",
    title: "SNS topic is encrypted with KMS",
    checkov: ["CKV_AWS_26"],
    fsbp: ["SNS.1"],
    severity: "medium",
    appliesTo: ["aws:sns/topic:Topic"],
    check: (topic) => {
      const key = topic.inputs.kmsMasterKeyId;
      return typeof key === "string" && key !== "" ? [] : ["kmsMasterKeyId is not set"];
    },
  },
];
