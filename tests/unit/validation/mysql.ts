/** Invalid configs: the MySQL data volume and instance types (infra/plan/validate.ts). */
import { BURSTABLE, InvalidCase } from "../../helpers/validation";

export const MYSQL_CASES: InvalidCase[] = [
  // ---- validate.ts: data volume ----
  {
    name: "gp3 iops below 3000",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume.iops = 2000),
    expected: ["gamedb:mysql.dataVolume.iops: 2000 is outside gp3's 3000 to 16000"],
  },
  {
    name: "gp3 iops above 16000",
    stack: "prod",
    mutate: (r) => (r.mysql.dataVolume.iops = 16001),
    expected: ["gamedb:mysql.dataVolume.iops: 16001 is outside gp3's 3000 to 16000"],
  },
  {
    name: "gp3 iops above 500 per GiB",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 20, iops: 12000 }),
    expected: ["gamedb:mysql.dataVolume.iops: 12000 exceeds gp3's 500 IOPS per GiB (10000 for 20 GiB)"],
  },
  {
    name: "gp3 throughput below 125",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume.throughput = 100),
    expected: ["gamedb:mysql.dataVolume.throughput: 100 is outside gp3's 125 to 1000 MiB/s"],
  },
  {
    name: "gp3 throughput above 1000",
    stack: "prod",
    mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 500, iops: 8000, throughput: 1001 }),
    expected: ["gamedb:mysql.dataVolume.throughput: 1001 is outside gp3's 125 to 1000 MiB/s"],
  },
  {
    name: "gp3 throughput above IOPS/4 at the default 3000 IOPS",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume.throughput = 800),
    expected: ["gamedb:mysql.dataVolume.throughput: 800 MiB/s exceeds gp3's limit of IOPS/4 (750 at 3000 IOPS)"],
  },
  {
    name: "gp3 throughput above IOPS/4 with iops given",
    stack: "prod",
    mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 500, iops: 3001, throughput: 751 }),
    expected: ["gamedb:mysql.dataVolume.throughput: 751 MiB/s exceeds gp3's limit of IOPS/4 (750 at 3001 IOPS)"],
  },
  {
    name: "io2 without iops",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume.type = "io2"),
    expected: ["gamedb:mysql.dataVolume.iops: is required for io2 (100 to 256000)"],
  },
  {
    name: "io2 with throughput",
    stack: "prod",
    mutate: (r) => (r.mysql.dataVolume.type = "io2"),
    expected: ["gamedb:mysql.dataVolume.throughput: applies to gp3 only; remove it for io2"],
  },
  {
    name: "io2 iops below 100",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 50, type: "io2", iops: 50 }),
    expected: ["gamedb:mysql.dataVolume.iops: 50 is outside io2's 100 to 256000"],
  },
  {
    name: "io2 iops above 1000 per GiB",
    stack: "dev",
    mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 50, type: "io2", iops: 60000 }),
    expected: ["gamedb:mysql.dataVolume.iops: 60000 exceeds io2's 1000 IOPS per GiB (50000 for 50 GiB)"],
  },
  // ---- validate.ts: instance types ----
  {
    name: "burstable mysql.instanceType in prod",
    stack: "prod",
    mutate: (r) => (r.mysql.instanceType = "t3.xlarge"),
    expected: [`gamedb:mysql.instanceType: "t3.xlarge": ${BURSTABLE}`],
  },
  {
    name: "burstable node instanceType override in prod",
    stack: "prod",
    mutate: (r) => (r.shards[1].nodes = [{ index: 0 }, { index: 1, instanceType: "t3.large" }, { index: 2 }]),
    expected: [`gamedb:shards[1].nodes[1].instanceType: "t3.large": ${BURSTABLE}`],
  },
];
