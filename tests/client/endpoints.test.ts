import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { EndpointsWatcher, readTopology, topologyFromObject } from "../../client/src/endpoints";
import { EndpointsError } from "../../client/src/errors";
import { Topology } from "../../client/src/topology";
import { ConfigMapDir, endpointFiles } from "./configMapDir";
import { RW, evenDoc, routerHost } from "./fixtures";

const HOUR = 3_600_000;

/** A watcher whose calls are recorded; `next()` resolves at the next onChange or onError. */
function watch(location: string, firstText: string, pollIntervalMs = HOUR) {
  const changes: Topology[] = [];
  const errors: EndpointsError[] = [];
  let wake: (() => void) | undefined;
  const watcher = new EndpointsWatcher(location, firstText, {
    pollIntervalMs,
    onChange: (t) => (changes.push(t), wake?.()),
    onError: (e) => (errors.push(e), wake?.()),
  });
  const next = (timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event in ${timeoutMs} ms`)), timeoutMs);
      wake = () => (clearTimeout(timer), resolve());
    });
  return { watcher, changes, errors, next };
}

const shardCount = (t: Topology) => t.shards.size;

describe("endpoints from a mounted ConfigMap directory", () => {
  let cm: ConfigMapDir;
  let watcher: EndpointsWatcher | undefined;
  beforeEach(() => (cm = ConfigMapDir.create(endpointFiles(evenDoc(2)))));
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    cm.remove();
  });

  it("reads routers.json and slot-map.json through the kubelet's symlinks", () => {
    expect(fs.lstatSync(path.join(cm.dir, "routers.json")).isSymbolicLink()).toBe(true);
    const { topology } = readTopology(cm.dir);
    expect(topology.endpoint(1)).toEqual({ shard: 1, host: routerHost(1), rw: RW, ro: 6447 });
    expect([topology.shardOfSlot(0), topology.shardOfSlot(16383)]).toEqual([0, 1]);
  });

  it("check() after the ..data swap hands over the new map, once", () => {
    const w = watch(cm.dir, readTopology(cm.dir).text);
    watcher = w.watcher;
    expect(w.watcher.check()).toBe(false); // nothing changed yet
    cm.publish(endpointFiles(evenDoc(3)));
    expect(w.watcher.check()).toBe(true);
    expect(w.changes.map(shardCount)).toEqual([3]);
    expect(w.changes[0]!.shardOfSlot(16383)).toBe(2);
    expect(w.watcher.check()).toBe(false);
    expect([w.changes.length, w.errors]).toEqual([1, []]);
  });

  it("the file event of the swap hands over the new map without a poll", async () => {
    const w = watch(cm.dir, readTopology(cm.dir).text);
    watcher = w.watcher;
    const event = w.next();
    cm.publish(endpointFiles(evenDoc(4)));
    await event;
    expect(w.changes.map(shardCount)).toEqual([4]);
    expect(w.errors).toEqual([]);
  });

  it("close() stops both the file events and the poll", async () => {
    const w = watch(cm.dir, readTopology(cm.dir).text, 20);
    w.watcher.close();
    cm.publish(endpointFiles(evenDoc(3)));
    await new Promise((r) => setTimeout(r, 200));
    expect([w.changes, w.errors]).toEqual([[], []]);
  });

  describe("a malformed document: onError with an EndpointsError naming the file and the field, no new map", () => {
    const bad = (edit: (files: Record<string, string>) => void) => {
      const files = endpointFiles(evenDoc(2));
      edit(files);
      return files;
    };
    const cases: [string, Record<string, string>, (dir: string) => string][] = [
      [
        "routers.json that is not JSON",
        bad((f) => (f["routers.json"] = '{"shard0": ')),
        (dir) => `endpoints: ${dir}/routers.json: not JSON: `,
      ],
      [
        "a bad port",
        bad((f) => (f["routers.json"] = f["routers.json"]!.replace(`"rw": ${RW}`, '"rw": 70000'))),
        (dir) => `endpoints: ${dir}/routers.json: shard0.ports.rw: must be a port from 1 to 65535`,
      ],
      [
        "a slot range that is not one",
        bad((f) => (f["slot-map.json"] = f["slot-map.json"]!.replace('"0-8191"', '"zero"'))),
        (dir) => `endpoints: ${dir}/slot-map.json: 0.slots: must be a slot range such as "0-4095"`,
      ],
      [
        "a shard missing from routers",
        bad((f) => {
          const routers = JSON.parse(f["routers.json"]!) as Record<string, unknown>;
          delete routers.shard1;
          f["routers.json"] = JSON.stringify(routers);
        }),
        (dir) => `endpoints ${dir}: slotMap.1: shard 1 owns slots 8192-16383 but routers has no shard1`,
      ],
    ];
    it.each(cases)("%s", async (_name, files, message) => {
      const w = watch(cm.dir, readTopology(cm.dir).text);
      watcher = w.watcher;
      cm.publish(files);
      expect(w.watcher.check()).toBe(false);
      expect(w.changes).toEqual([]);
      expect(w.errors).toHaveLength(1);
      expect(w.errors[0]).toBeInstanceOf(EndpointsError);
      expect(w.errors[0]!.message.startsWith(message(cm.dir))).toBe(true);
      expect(() => readTopology(cm.dir)).toThrow(EndpointsError);
      // Reported once, not at every poll; a good document afterwards is taken.
      expect(w.watcher.check()).toBe(false);
      expect(w.errors).toHaveLength(1);
      cm.publish(endpointFiles(evenDoc(3)));
      expect(w.watcher.check()).toBe(true);
      expect(w.changes.map(shardCount)).toEqual([3]);
    });
  });

  it("a key missing from the ConfigMap is an EndpointsError naming its file", () => {
    const files = endpointFiles(evenDoc(2));
    delete files["slot-map.json"];
    cm.publish(files);
    expect(fs.existsSync(path.join(cm.dir, "slot-map.json"))).toBe(false);
    expect(() => readTopology(cm.dir)).toThrow(new RegExp(`^endpoints: ${cm.dir}/slot-map.json: ENOENT`));
  });

  it("a plain directory of the two files (no ..data) is read too", () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-endpoints-plain-"));
    try {
      const files = endpointFiles(evenDoc(3));
      for (const f of ["routers.json", "slot-map.json"]) fs.writeFileSync(path.join(plain, f), files[f]!);
      expect(shardCount(readTopology(plain).topology)).toBe(3);
    } finally {
      fs.rmSync(plain, { recursive: true });
    }
  });
});

describe("endpoints from one JSON file", () => {
  let dir: string;
  let file: string;
  let watcher: EndpointsWatcher | undefined;
  /** Written as editors and config tools do: a temporary file renamed over the old one. */
  const write = (value: unknown) => {
    fs.writeFileSync(`${file}.tmp`, typeof value === "string" ? value : JSON.stringify(value));
    fs.renameSync(`${file}.tmp`, file);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-endpoints-file-"));
    file = path.join(dir, "endpoints.json");
    write(evenDoc(2));
  });
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads {routers, slotMap} and follows its replacement, by check() and by the file event", async () => {
    const first = readTopology(file);
    expect(shardCount(first.topology)).toBe(2);
    const w = watch(file, first.text);
    watcher = w.watcher;
    write(evenDoc(3));
    expect(w.watcher.check()).toBe(true);
    const event = w.next();
    write(evenDoc(5));
    await event;
    expect(w.changes.map(shardCount)).toEqual([3, 5]);
  });

  it("the poll finds a change no file event reports (the file is a link, its target edited elsewhere)", async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-endpoints-target-"));
    try {
      const target = path.join(elsewhere, "endpoints.json");
      fs.writeFileSync(target, JSON.stringify(evenDoc(2)));
      fs.rmSync(file);
      fs.symlinkSync(target, file);
      const text = readTopology(file).text;
      const quiet = watch(file, text, HOUR);
      const polled = watch(file, text, 50);
      watcher = polled.watcher;
      const event = polled.next();
      fs.writeFileSync(target, JSON.stringify(evenDoc(3)));
      await event;
      await new Promise((r) => setTimeout(r, 150)); // time for a file event, had there been one
      quiet.watcher.close();
      expect(polled.changes.map(shardCount)).toEqual([3]);
      expect(quiet.changes).toEqual([]); // no file event came: only the poll saw it
    } finally {
      fs.rmSync(elsewhere, { recursive: true });
    }
  });

  it("ignores events of the directory's other files", async () => {
    const w = watch(file, readTopology(file).text);
    watcher = w.watcher;
    fs.writeFileSync(path.join(dir, "other.json"), "{}");
    await new Promise((r) => setTimeout(r, 200));
    expect([w.changes, w.errors]).toEqual([[], []]);
  });

  it("a malformed file: onError naming the file and the field", () => {
    const w = watch(file, readTopology(file).text);
    watcher = w.watcher;
    write({ routers: evenDoc(2).routers });
    expect(w.watcher.check()).toBe(false);
    expect(w.errors.map((e) => e.message)).toEqual([
      `endpoints: ${file}: slotMap: Invalid input: expected array, received undefined`,
    ]);
  });

  it("a file missing for a while: reported once, and the same text back clears it as current", () => {
    const first = readTopology(file);
    let recovered = 0;
    const errors: EndpointsError[] = [];
    watcher = new EndpointsWatcher(file, first.text, {
      pollIntervalMs: HOUR,
      onChange: () => undefined,
      onError: (e) => errors.push(e),
      onRecovered: () => recovered++,
    });
    fs.renameSync(file, `${file}.away`);
    expect([watcher.check(), watcher.check(), watcher.check()]).toEqual([false, false, false]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/cannot read/);
    fs.renameSync(`${file}.away`, file);
    expect(watcher.check()).toBe(false); // unchanged: no new map
    expect(recovered).toBe(1);
    expect(watcher.check()).toBe(false);
    expect(recovered).toBe(1);
  });

  it("a path that exists but cannot be read is an EndpointsError naming it", async () => {
    const socket = path.join(dir, "endpoints.sock");
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      expect(() => readTopology(socket)).toThrow(EndpointsError);
      expect(() => readTopology(socket)).toThrow(`endpoints: cannot read ${socket}: ENXIO`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("topologyFromObject", () => {
  it("builds the table from a valid object", () => {
    const t = topologyFromObject(evenDoc(4));
    expect([shardCount(t), t.shardOfSlot(16383)]).toEqual([4, 3]);
  });

  it("refuses a bad object naming the field", () => {
    const doc = evenDoc(2) as unknown as { routers: Record<string, { ports: Record<string, unknown> }> };
    doc.routers.shard0!.ports.ro = "6447";
    expect(() => topologyFromObject(doc)).toThrow(
      new EndpointsError("endpoints: routers.shard0.ports.ro: must be a port from 1 to 65535"),
    );
    expect(() => topologyFromObject({ routers: evenDoc(1).routers, slotMap: evenDoc(2).slotMap })).toThrow(
      "endpoints: slotMap.1: shard 1 owns slots 8192-16383 but routers has no shard1",
    );
    expect(() => topologyFromObject("routers")).toThrow(/^endpoints: \(top level\): /);
  });
});
