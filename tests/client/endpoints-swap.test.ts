/**
 * The kubelet's ..data swap landing between the client's reads of routers.json and slot-map.json: readFileSync is
 * wrapped so the test can publish a new version right after the first file is read.
 */
import type * as FS from "node:fs";

let afterRead: ((file: string) => void) | undefined;
jest.mock("node:fs", () => {
  const actual = jest.requireActual<typeof FS>("node:fs");
  return {
    ...actual,
    readFileSync: (...args: Parameters<typeof actual.readFileSync>) => {
      const out = actual.readFileSync(...args);
      const hook = afterRead;
      afterRead = undefined;
      hook?.(String(args[0]));
      return out;
    },
  };
});

import { EndpointsWatcher, readTopology } from "../../client/src/endpoints";
import { EndpointsError } from "../../client/src/errors";
import { Topology } from "../../client/src/topology";
import { ConfigMapDir, endpointFiles } from "./configMapDir";
import { evenDoc } from "./fixtures";

describe("a ..data swap between the reads of the two files", () => {
  let cm: ConfigMapDir;
  beforeEach(() => (cm = ConfigMapDir.create(endpointFiles(evenDoc(2)))));
  afterEach(() => cm.remove());

  it.each([
    ["the old directory still there", true],
    ["the old directory already removed", false],
  ])("never mixes two versions (%s)", (_name, keepOld) => {
    const changes: Topology[] = [];
    const errors: EndpointsError[] = [];
    const watcher = new EndpointsWatcher(cm.dir, readTopology(cm.dir).text, {
      pollIntervalMs: 3_600_000,
      onChange: (t) => changes.push(t),
      onError: (e) => errors.push(e),
    });
    try {
      // Three shards now: old routers.json with the new slot-map.json would name a shard without a router.
      afterRead = () => cm.publish(endpointFiles(evenDoc(3)), { keepOld });
      watcher.check();
      expect(afterRead).toBeUndefined(); // the swap did happen mid-read
      watcher.check();
      expect(errors).toEqual([]);
      expect(changes.map((t) => t.shards.size)).toEqual([3]);
    } finally {
      watcher.close();
    }
  });
});
