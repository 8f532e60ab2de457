/**
 * Where the client learns the shard map: the gamedb-endpoints ConfigMap mounted as a directory (routers.json and
 * slot-map.json), one JSON file of the `clientEndpointsSchema` shape, or an object. Everything is parsed with the
 * contract's schemas (infra/contracts/endpoints.ts, the same ones the program writes with) and checked as a whole
 * (topology.ts) before it replaces the map in force; a bad document is reported and the last good map kept.
 *
 * A mounted ConfigMap is updated by the kubelet swapping the `..data` symlink, so files are never edited in place:
 * the watcher watches the directory (for a file, its parent directory) and also polls, because inotify events can
 * be missed (an overlay, a re-mounted volume); reading twice the same text changes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ClientEndpoints,
  ENDPOINT_FILES,
  clientEndpointsSchema,
  parseDocument,
  problems,
  routersSchema,
  slotMapSchema,
} from "../../infra/contracts/endpoints";
import { EndpointsError } from "./errors";
import { Topology } from "./topology";

export type EndpointsInput = string | ClientEndpoints;

/** The documents' text, read together; a directory gives both files, a file its one document. */
function readText(location: string): { kind: "dir" | "file"; text: string } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch (e) {
    throw new EndpointsError(`endpoints: cannot read ${location}: ${(e as Error).message}`);
  }
  if (stat.isDirectory()) return { kind: "dir", text: readDir(location) };
  try {
    return { kind: "file", text: fs.readFileSync(location, "utf8") };
  } catch (e) {
    throw new EndpointsError(`endpoints: cannot read ${location}: ${(e as Error).message}`);
  }
}

/** Where a mounted ConfigMap's `..data` link points now, or the directory itself when it has none. */
function dataDir(location: string): string {
  try {
    return fs.realpathSync(path.join(location, "..data"));
  } catch {
    return location;
  }
}

/**
 * A mounted ConfigMap's files are links through `..data`, which the kubelet renames over to update every file at
 * once, then removes the old directory (kubernetes pkg/volume/util/atomic_writer.go, AtomicWriter.Write steps
 * 8-11). Both files are read from the one directory `..data` named when the read began, so a swap between the two
 * reads cannot mix two versions; a read that lost its directory to a swap starts again from the new one.
 */
function readDir(location: string): string {
  for (let attempt = 1; ; attempt++) {
    const base = dataDir(location);
    const texts: string[] = [];
    let failure: EndpointsError | undefined;
    for (const file of [ENDPOINT_FILES.routers, ENDPOINT_FILES.slotMap]) {
      try {
        texts.push(fs.readFileSync(path.join(base, file), "utf8"));
      } catch (e) {
        failure = new EndpointsError(`endpoints: ${path.join(location, file)}: ${(e as Error).message}`);
        break;
      }
    }
    if (!failure) return JSON.stringify(texts);
    if (attempt === 3 || base === location || dataDir(location) === base) throw failure;
  }
}

function parseText(location: string, kind: "dir" | "file", text: string): ClientEndpoints {
  try {
    if (kind === "file") return parseDocument(clientEndpointsSchema, location, text);
    const [routers, slotMap] = JSON.parse(text) as [string, string];
    return {
      routers: parseDocument(routersSchema, path.join(location, ENDPOINT_FILES.routers), routers),
      slotMap: parseDocument(slotMapSchema, path.join(location, ENDPOINT_FILES.slotMap), slotMap),
    };
  } catch (e) {
    throw new EndpointsError(`endpoints: ${(e as Error).message}`, { cause: e });
  }
}

/** Validates an object given in code. */
export function topologyFromObject(doc: unknown): Topology {
  const parsed = clientEndpointsSchema.safeParse(doc);
  if (!parsed.success) throw new EndpointsError(`endpoints: ${problems(parsed.error)}`);
  return checked("endpoints", parsed.data);
}

function checked(where: string, doc: ClientEndpoints): Topology {
  const built = Topology.build(doc);
  if (Array.isArray(built)) throw new EndpointsError(`${where}: ${built.join("; ")}`);
  return built;
}

/** Reads and checks the documents at a path once. */
export function readTopology(location: string): { topology: Topology; text: string } {
  const { kind, text } = readText(location);
  return { topology: checked(`endpoints ${location}`, parseText(location, kind, text)), text };
}

export interface WatchOptions {
  /** How often the documents are re-read even without a file event. */
  pollIntervalMs: number;
  /** A new, checked map. */
  onChange(topology: Topology): void;
  /** A document that could not be used; the map in force stays. */
  onError(error: EndpointsError): void;
  /** After a read failure, the files read again and unchanged: the map in force is current. */
  onRecovered?(): void;
}

/** Follows a directory or file; `close()` stops it. */
export class EndpointsWatcher {
  private lastText: string;
  private readonly watcher: fs.FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | undefined;
  /** The last read failure's message while reading keeps failing. */
  private readError: string | undefined;

  constructor(
    private readonly location: string,
    firstText: string,
    private readonly options: WatchOptions,
  ) {
    this.lastText = firstText;
    const isDir = fs.statSync(location).isDirectory();
    const dir = isDir ? location : path.dirname(location);
    try {
      this.watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (isDir || name === null || name === path.basename(location)) this.soon();
      });
      this.watcher.on("error", () => undefined); // the poll goes on
    } catch {
      this.watcher = undefined; // no inotify here: polling alone
    }
    this.poll = setInterval(() => this.check(), options.pollIntervalMs);
    this.poll.unref();
  }

  /** File events come in bursts (the symlink swap is several renames): read once they settle. */
  private soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.check(), 25);
    this.debounce.unref();
  }

  /** Re-reads now; resolves to whether the map changed. */
  check(): boolean {
    let read: { kind: "dir" | "file"; text: string };
    try {
      read = readText(this.location);
    } catch (e) {
      // Reported once per distinct problem, not at every poll while it lasts.
      if ((e as Error).message !== this.readError) this.options.onError(e as EndpointsError);
      this.readError = (e as Error).message;
      return false;
    }
    const recovered = this.readError !== undefined;
    this.readError = undefined;
    if (read.text === this.lastText) {
      // The files are readable again and unchanged: the map in force is current after all.
      if (recovered) this.options.onRecovered?.();
      return false;
    }
    this.lastText = read.text; // a bad document is reported once, not at every poll
    try {
      this.options.onChange(checked(`endpoints ${this.location}`, parseText(this.location, read.kind, read.text)));
      return true;
    } catch (e) {
      this.options.onError(e as EndpointsError);
      return false;
    }
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poll);
    clearTimeout(this.debounce);
  }
}
