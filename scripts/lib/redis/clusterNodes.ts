/**
 * The one `CLUSTER NODES` parser, shared by the monitoring worker (scripts/apps/monitor/redisCheck.ts) and the Redis
 * Cluster controller (scripts/apps/redis-controller/). One line per known node:
 *
 *   <id> <ip:port@cport[,hostname]> <flags> <master|-> <ping-sent> <pong-recv> <config-epoch> <link> <slot>...
 *
 * as redis 7 writes it for clients (redis/redis 7.2.6:src/cluster.c clusterGenNodeDescription: the hostname follows
 * a comma only when one is announced; aux fields go to nodes.conf only, never to clients). Slots are `n` or `a-b`;
 * the asking node alone lists its open slots as `[n->-id]` (migrating to id) and `[n-<-id]` (importing from id).
 */

export interface SlotRange {
  readonly from: number;
  readonly to: number;
}

export interface OpenSlot {
  readonly slot: number;
  /** The node the slot is migrating to (migrating) or importing from (importing). */
  readonly nodeId: string;
}

export interface ClusterNode {
  readonly id: string;
  /** "" when the node has no address yet (noaddr, or the asking node before it met anyone). */
  readonly ip: string;
  /** The client port; 0 when unknown. */
  readonly port: number;
  readonly busPort: number;
  /** The announced hostname (cluster-announce-hostname), "" when none. */
  readonly hostname: string;
  /** myself, master, slave, fail?, fail, handshake, noaddr, nofailover, noflags. */
  readonly flags: readonly string[];
  /** The master's id for a replica; null for a master. */
  readonly masterId: string | null;
  readonly configEpoch: number;
  /** "connected" or "disconnected". */
  readonly linkState: string;
  /** The slots this node serves, in the order listed. */
  readonly slots: readonly SlotRange[];
  readonly migrating: readonly OpenSlot[];
  readonly importing: readonly OpenSlot[];
}

export const SLOT_COUNT = 16384;

/** The flags that mean the asking node cannot count on this one (redis-cli's check treats them the same way). */
const FAILING = ["fail", "fail?", "handshake", "noaddr"];

export const isMaster = (n: ClusterNode): boolean => n.flags.includes("master");
export const isReplica = (n: ClusterNode): boolean => n.flags.includes("slave");
export const isMyself = (n: ClusterNode): boolean => n.flags.includes("myself");
export const isFailing = (n: ClusterNode): boolean => n.flags.some((f) => FAILING.includes(f));

/** How many slots the ranges cover. */
export function slotCount(ranges: readonly SlotRange[]): number {
  return ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
}

/** Real ids are 40 hex digits; anything without spaces is accepted (fixtures use short ones). */
const ID = /^[0-9A-Za-z]+$/;

function slotNumber(text: string, line: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n >= SLOT_COUNT) throw new Error(`CLUSTER NODES: bad slot "${text}" in line "${line}"`);
  return n;
}

function parseSlots(fields: readonly string[], line: string) {
  const slots: SlotRange[] = [];
  const migrating: OpenSlot[] = [];
  const importing: OpenSlot[] = [];
  for (const f of fields) {
    const open = /^\[(\d+)-([<>])-([0-9A-Za-z]+)\]$/.exec(f);
    if (open) {
      const entry = { slot: slotNumber(open[1]!, line), nodeId: open[3]! };
      (open[2] === ">" ? migrating : importing).push(entry);
      continue;
    }
    const [a, b] = f.split("-");
    const from = slotNumber(a!, line);
    const to = b === undefined ? from : slotNumber(b, line);
    if (to < from) throw new Error(`CLUSTER NODES: bad slot range "${f}" in line "${line}"`);
    slots.push({ from, to });
  }
  return { slots, migrating, importing };
}

/**
 * Every node of a CLUSTER NODES reply, failing and address-less ones included (callers decide what to skip).
 * Throws, quoting the line, on a line that is not in this format: a node silently dropped could hide a master.
 */
export function parseClusterNodes(text: string): ClusterNode[] {
  const out: ClusterNode[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    const f = line.split(/\s+/);
    const [id, addr, flagText, master, , , epoch, linkState] = f;
    const address = /^(.*):(\d+)@(\d+)(?:,([^,]*))?/.exec(addr ?? "");
    if (f.length < 8 || !ID.test(id!) || address === null || !/^\d+$/.test(epoch!)) {
      throw new Error(`CLUSTER NODES: unexpected line "${line}"`);
    }
    out.push({
      id: id!,
      ip: address[1]!,
      port: Number(address[2]),
      busPort: Number(address[3]),
      hostname: address[4] ?? "",
      flags: flagText!.split(","),
      masterId: master === "-" ? null : master!,
      configEpoch: Number(epoch),
      linkState: linkState!,
      ...parseSlots(f.slice(8), line),
    });
  }
  return out;
}

/** `key:value` lines of an INFO-style reply (INFO, CLUSTER INFO); section headers and blank lines skipped. */
export function parseInfoLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.indexOf(":");
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return out;
}
