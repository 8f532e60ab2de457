/**
 * A directory laid out as the kubelet mounts a ConfigMap, and updated as it updates one (kubernetes
 * pkg/volume/util/atomic_writer.go, AtomicWriter.Write): the files live in a timestamped `..<time>` directory,
 * `..data` links to it, each visible file links to `..data/<file>`; an update writes a new timestamped directory,
 * links `..data_tmp` to it, renames `..data_tmp` over `..data` (the one atomic step), removes the links of keys
 * that are gone and then the old directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ClientEndpoints } from "../../infra/contracts/endpoints";

export function endpointFiles(doc: ClientEndpoints): Record<string, string> {
  return {
    "routers.json": JSON.stringify(doc.routers, null, 2),
    "slot-map.json": JSON.stringify(doc.slotMap, null, 2),
    // The ConfigMap's other keys, which the client does not read.
    "members.json": "{}",
    "redis.json": JSON.stringify({ engine: "kubernetes", seeds: ["redis-0.redis:6379"] }),
  };
}

export class ConfigMapDir {
  private version = 0;

  constructor(readonly dir: string) {}

  static create(files: Record<string, string>): ConfigMapDir {
    const d = new ConfigMapDir(fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-endpoints-")));
    d.publish(files);
    return d;
  }

  /** The timestamped directory `..data` links to now. */
  current(): string | undefined {
    try {
      return fs.readlinkSync(path.join(this.dir, "..data"));
    } catch {
      return undefined;
    }
  }

  /** Writes a new version; `keepOld` leaves the previous timestamped directory in place (as before step 11). */
  publish(files: Record<string, string>, options: { keepOld?: boolean } = {}): void {
    const old = this.current();
    const ts = `..2026_12_05_09_30_${String(this.version++).padStart(2, "0")}.${process.pid}`;
    fs.mkdirSync(path.join(this.dir, ts));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(this.dir, ts, name), text);
    for (const name of Object.keys(files)) {
      const visible = path.join(this.dir, name);
      if (!fs.lstatSync(visible, { throwIfNoEntry: false })) fs.symlinkSync(path.join("..data", name), visible);
    }
    fs.symlinkSync(ts, path.join(this.dir, "..data_tmp"));
    fs.renameSync(path.join(this.dir, "..data_tmp"), path.join(this.dir, "..data"));
    if (old === undefined) return;
    for (const name of fs.readdirSync(path.join(this.dir, old))) {
      if (!(name in files)) fs.unlinkSync(path.join(this.dir, name)); // a key no longer in the ConfigMap
    }
    if (!options.keepOld) fs.rmSync(path.join(this.dir, old), { recursive: true });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
