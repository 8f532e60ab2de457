/** Invalid configs: shard identity, node counts, placement over zones and slot ownership (infra/plan/validate.ts). */
import { EVERY_SLOT, InvalidCase, QUORUM } from "../../helpers/validation";

export const SHARD_CASES: InvalidCase[] = [
  // ---- validate.ts: shard identity ----
  {
    name: "duplicate shard id",
    stack: "dev",
    mutate: (r) => (r.shards[1].id = 1),
    expected: ["gamedb:shards[1].id: 1 is already the id of gamedb:shards[0]; shard ids are unique and never reused"],
  },
  {
    name: "duplicate shard name",
    stack: "prod",
    mutate: (r) => (r.shards[3].name = "bravo"),
    expected: ['gamedb:shards[3].name: "bravo" is already the name of gamedb:shards[1]; names are unique'],
  },
  // ---- validate.ts: node counts ----
  {
    name: "even node count in dev",
    stack: "dev",
    mutate: (r) => (r.shards[0].nodes = 2),
    expected: ["gamedb:shards[0].nodes: 2 is even; use 1, or an odd count from 3 to 9"],
  },
  {
    name: "even node count in prod",
    stack: "prod",
    mutate: (r) => (r.shards[0].nodes = 4),
    expected: ["gamedb:shards[0].nodes: 4 is even; use an odd count from 3 to 9 (prod)"],
  },
  {
    name: "even number of listed nodes in prod",
    stack: "prod",
    mutate: (r) => (r.shards[0].nodes = [{ index: 0 }, { index: 1 }]),
    expected: ["gamedb:shards[0].nodes: 2 (nodes listed) is even; use an odd count from 3 to 9 (prod)"],
  },
  {
    name: "a single node in prod",
    stack: "prod",
    mutate: (r) => (r.shards[2].nodes = 1),
    expected: ["gamedb:shards[2].nodes: 1: a single node has no failover; use an odd count from 3 to 9 (prod)"],
  },
  {
    name: "duplicate node index",
    stack: "dev",
    mutate: (r) => (r.shards[0].nodes = [{ index: 0 }, { index: 1 }, { index: 0 }]),
    expected: [
      "gamedb:shards[0].nodes[2].index: 0 is listed twice in this shard; node indexes are unique and never reused",
    ],
  },
  // ---- validate.ts: placement ----
  {
    name: "node az not in the zone list",
    stack: "prod",
    mutate: (r) => (r.shards[0].nodes = [{ index: 0 }, { index: 1, az: "eu-west-1d" }, { index: 2 }]),
    expected: [
      'gamedb:shards[0].nodes[1].az: "eu-west-1d" is not in gamedb:aws.availabilityZones (eu-west-1a, eu-west-1b, eu-west-1c)',
    ],
  },
  {
    name: "prod placement over only 2 zones",
    stack: "prod",
    mutate: (r) => (r.aws.availabilityZones = ["eu-west-1a", "eu-west-1b"]),
    // Shard id + node index picks the zone: odd ids put 2 of 3 members in b, even ids in a.
    expected: [
      `gamedb:shards[0].nodes: placement puts 2 of 3 members in eu-west-1b, ${QUORUM}`,
      `gamedb:shards[1].nodes: placement puts 2 of 3 members in eu-west-1a, ${QUORUM}`,
      `gamedb:shards[2].nodes: placement puts 2 of 3 members in eu-west-1b, ${QUORUM}`,
      `gamedb:shards[3].nodes: placement puts 2 of 3 members in eu-west-1a, ${QUORUM}`,
    ],
  },
  {
    name: "prod nodes pinned to one zone",
    stack: "prod",
    // Node 2 of shard 3 is not pinned; (3 + 2) % 3 places it in eu-west-1c as well.
    mutate: (r) => (r.shards[2].nodes = [{ index: 0, az: "eu-west-1c" }, { index: 1, az: "eu-west-1c" }, { index: 2 }]),
    expected: [`gamedb:shards[2].nodes: placement puts 3 of 3 members in eu-west-1c, ${QUORUM}`],
  },
  // ---- validate.ts: slots ----
  {
    name: "provisioning shard with slots",
    stack: "dev",
    mutate: (r) => r.shards.push({ id: 3, name: "charlie", state: "provisioning", slots: ["0-10"] }),
    expected: [
      "gamedb:shards[2].slots: a provisioning shard owns no slots; give its ranges to active shards (move them when it becomes active)",
    ],
  },
  {
    name: "retired shard with slots",
    stack: "dev",
    mutate: (r) => r.shards.push({ id: 3, name: "charlie", state: "retired", slots: ["42"] }),
    expected: [
      "gamedb:shards[2].slots: a retired shard owns no slots; give its ranges to active shards (move them when it becomes active)",
    ],
  },
  {
    name: "active shard with no slots",
    stack: "dev",
    mutate: (r) => (r.shards[1].slots = []),
    expected: [
      'gamedb:shards[1].slots: an active shard must own at least one slot range; use state "provisioning" for a shard that owns none yet',
      `gamedb:shards: slots 8192-16383 are owned by no active shard; ${EVERY_SLOT}`,
    ],
  },
  {
    name: "slot overlap between two shards",
    stack: "dev",
    mutate: (r) => (r.shards[1].slots = ["8000-16383"]),
    expected: [`gamedb:shards: slots 8000-8191 are owned by both shard 1 and shard 2; ${EVERY_SLOT}`],
  },
  {
    name: "slots listed twice in one shard",
    stack: "dev",
    mutate: (r) => (r.shards[0].slots = ["0-8191", "100-199", "4000"]),
    expected: [`gamedb:shards: slots 100-199, 4000 are listed twice by shard 1; ${EVERY_SLOT}`],
  },
  {
    name: "slot gaps",
    stack: "prod",
    mutate: (r) => {
      r.shards[1].slots = ["4096-8000", "8100-8191"];
      r.shards[3].slots = ["12288-16382"];
    },
    expected: [`gamedb:shards: slots 8001-8099, 16383 are owned by no active shard; ${EVERY_SLOT}`],
  },
  {
    name: 'slot out of range "16384"',
    stack: "dev",
    mutate: (r) => r.shards[1].slots.push("16384"),
    expected: ['gamedb:shards[1].slots[1]: "16384" is outside the slot space 0-16383'],
  },
  {
    name: 'reversed slot range "10-5"',
    stack: "dev",
    mutate: (r) => r.shards[1].slots.push("10-5"),
    expected: ['gamedb:shards[1].slots[1]: "10-5" is reversed; write the lower slot first ("5-10")'],
  },
  {
    name: 'malformed slot range "a-b"',
    stack: "dev",
    mutate: (r) => r.shards[1].slots.push("a-b"),
    expected: ['gamedb:shards[1].slots[1]: "a-b" must be a slot ("42") or an inclusive slot range ("0-8191")'],
  },
];
