/**
 * Config validation: configs once handled wrongly, kept as regressions; and the invalid-config table as a whole
 * (the subject tables of tests/unit/validation/, each run by its validation-<subject>.test.ts, plus these).
 */
import { base, expectProblems, InvalidCase, problemsOf, WHOLE_INTERNET } from "../helpers/validation";
import { HOST_CASES } from "./validation/hosts";
import { MYSQL_CASES } from "./validation/mysql";
import { NETWORK_CASES } from "./validation/network";
import { OPERATIONS_CASES } from "./validation/operations";
import { SCHEMA_CASES } from "./validation/schema";
import { SHARD_CASES } from "./validation/shards";

/** Every subject table: the cases the other validation-*.test.ts files run. */
const INVALID: InvalidCase[] = [
  ...NETWORK_CASES,
  ...MYSQL_CASES,
  ...SHARD_CASES,
  ...OPERATIONS_CASES,
  ...SCHEMA_CASES,
  ...HOST_CASES,
];

/** Configs once handled wrongly (spellings of /0, CIDR syntax, exclusive bounds, e-mail wording); kept as regressions. */
const REGRESSIONS: InvalidCase[] = [
  {
    // "::0/0" is the same network as "::/0".
    name: "::0/0 (another spelling of ::/0) in ssh.adminCidrs",
    stack: "prod",
    mutate: (r) => (r.ssh.adminCidrs = ["::0/0"]),
    expected: [`gamedb:ssh.adminCidrs[0]: "::0/0" ${WHOLE_INTERNET}`],
  },
  {
    // Any /0 is the whole address space, whatever its address bits.
    name: "a /0 with host bits (10.1.2.3/0) in kubernetes.nodeCidrs",
    stack: "dev",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, nodeCidrs: ["10.1.2.3/0"] }),
    expected: [`gamedb:kubernetes.nodeCidrs[0]: "10.1.2.3/0" ${WHOLE_INTERNET}`],
  },
  {
    // Octets above 255 are not an address.
    name: "an address that is not IPv4 (999.1.1.1/16) in ssh.adminCidrs",
    stack: "prod",
    mutate: (r) => (r.ssh.adminCidrs = ["999.1.1.1/16"]),
    expected: ['gamedb:ssh.adminCidrs[0]: "999.1.1.1/16" must be a CIDR block such as 10.0.0.0/16 or 2001:db8::/32'],
  },
  {
    // z.int().positive() is an exclusive bound: the message must not say "at least 0".
    name: "gp3 iops 0",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume.iops = 0),
    expected: ["gamedb:mysql.dataVolume.iops: 0 is out of range; use more than 0"],
  },
  {
    // Worded like every other format check, not with zod's default text.
    name: "bad e-mail address in monitoring.alertEmails",
    stack: "dev",
    mutate: (r) => (r.monitoring = { ...r.monitoring, alertEmails: ["ops@example.com", "not-an-email"] }),
    expected: ['gamedb:monitoring.alertEmails[1]: "not-an-email" must be an e-mail address such as ops@example.com'],
  },
];

describe("invalid configs", () => {
  it("the table has at least 35 distinct cases", () => {
    const all = [...INVALID, ...REGRESSIONS];
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(35);
    // Distinct configs, not only distinct names.
    const configs = all.map((c) => {
      const raw = base(c.stack);
      c.mutate(raw);
      return `${c.stack}:${JSON.stringify(raw)}`;
    });
    expect(new Set(configs).size).toBe(all.length);
  });

  it.each(REGRESSIONS)("$stack: $name", ({ stack, mutate, expected }) => {
    const raw = base(stack);
    mutate(raw);
    expectProblems(problemsOf(raw, stack), expected);
  });
});
