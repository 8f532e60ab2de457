/**
 * The documents and pods of slot moves (infra/moves): move.json and gate.json as the contract parses them, what
 * names the gate Job, the passwords file, and the mover image the Dockerfile builds. Pure functions.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MovePlan } from "../../infra/plan/moves";
import { planMoves } from "../../infra/plan/moves";
import {
  GATE_SPEC_PATH,
  MOVE_SPEC_PATH,
  MOVER_STATUS_PORT,
  MOVER_UID,
  SECRETS_PATH,
  gateDigest,
  gatePlan,
  gatePodSpec,
  gateSpec,
  gateWaitSeconds,
  moveSpec,
  moverPodSpec,
  moverSecretsText,
  routerEndpoint,
} from "../../infra/moves";
import type { GateInputs } from "../../infra/moves";

const routers = Object.fromEntries(
  [1, 2, 3].map((s) => [
    `shard${s}`,
    { host: `gamedb-shard${s}-router.gamedb.svc.cluster.local`, ports: { rw: 6446, ro: 6447 } },
  ]),
);
const move = (phase: MovePlan["phase"], id = 7): MovePlan =>
  planMoves({
    image: "i",
    gateTimeoutMinutes: 10,
    moves: [{ id, slots: "100-199", from: 1, to: 3, phase }],
  })[0]!;
const inputs = (over: Partial<GateInputs> = {}): GateInputs => ({
  database: "game",
  shards: [1, 2, 3],
  slotMap: [
    { from: 0, to: 8191, shard: 1 },
    { from: 8192, to: 16383, shard: 2, epoch: 15 },
  ],
  moves: [move("copy", 3), move("switch", 7), move("reverse", 8), move("cleanup", 9)],
  gateTimeoutMinutes: 10,
  ...over,
});

describe("move.json", () => {
  it("names both ends by their Router's read-write Service and fills the contract's defaults", () => {
    expect(moveSpec(move("copy"), "game", routers)).toEqual({
      id: 7,
      slots: { from: 100, to: 199 },
      phase: "copy",
      database: "game",
      source: { shard: 1, host: "gamedb-shard1-router.gamedb.svc.cluster.local", port: 6446 },
      target: { shard: 3, host: "gamedb-shard3-router.gamedb.svc.cluster.local", port: 6446 },
      throttle: { chunkRows: 1000, maxThreadsRunning: 25, maxApplierQueue: 1000 },
      switch: { maxLagSeconds: 1, freezeTimeoutSeconds: 2, drainTimeoutMs: 2000, maxDirtySlots: 256 },
      statusPort: MOVER_STATUS_PORT,
    });
  });

  it("carries the stack CA when given (the mover then connects with TLS), and refuses one that is not a PEM", () => {
    const ca = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
    expect(moveSpec(move("copy"), "game", routers, ca).tls).toEqual({ ca });
    expect(moveSpec(move("copy"), "game", routers).tls).toBeUndefined();
    expect(() => moveSpec(move("copy"), "game", routers, "not a certificate")).toThrow(
      /^move\.json: tls\.ca: must be a PEM certificate/,
    );
  });

  it("refuses what the mover would refuse, naming the file and the field", () => {
    expect(() => moveSpec(move("copy"), "game-db", routers)).toThrow(/^move\.json: database: /);
    expect(() => moveSpec({ ...move("copy"), to: 4 }, "game", routers)).toThrow(
      "shard 4 has no Router read-write Service (is it retired?); a move needs one on both ends",
    );
    expect(() => routerEndpoint({ shard2: { host: "h", ports: { ro: 1 } } }, 2)).toThrow(/^shard 2 has no Router/);
  });
});

describe("gate.json", () => {
  it("waits for the moves that switch or reverse, checks the map without epochs, every shard's Router", () => {
    expect(gateSpec(inputs(), routers)).toEqual({
      database: "game",
      shards: [1, 2, 3].map((s) => ({
        shard: s,
        host: `gamedb-shard${s}-router.gamedb.svc.cluster.local`,
        port: 6446,
      })),
      slotMap: [
        { from: 0, to: 8191, shard: 1 },
        { from: 8192, to: 16383, shard: 2 },
      ],
      moves: [
        { id: 7, phase: "switch", from: 1, to: 3 },
        { id: 8, phase: "reverse", from: 1, to: 3 },
      ],
      timeoutSeconds: 540,
    });
  });

  it("gives the gate a minute less than the Job's deadline to report (half a minute at one minute)", () => {
    expect([1, 2, 10, 60].map(gateWaitSeconds)).toEqual([30, 60, 540, 3540]);
  });

  it("names the Job by what it checks: a new map, a switch, the namespace or the image; not a copy or cleanup", () => {
    const d = gateDigest(inputs(), "gamedb", "img:1");
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(gateDigest(inputs(), "gamedb", "img:1")).toBe(d);
    const differs = [
      gateDigest(inputs({ slotMap: [{ from: 0, to: 16383, shard: 1 }] }), "gamedb", "img:1"),
      gateDigest(inputs({ moves: [move("switch", 3)] }), "gamedb", "img:1"),
      gateDigest(inputs({ shards: [1, 2, 3, 4] }), "gamedb", "img:1"),
      gateDigest(inputs({ gateTimeoutMinutes: 11 }), "gamedb", "img:1"),
      gateDigest(inputs(), "games", "img:1"),
      gateDigest(inputs(), "gamedb", "img:2"),
    ];
    for (const x of differs) expect(x).not.toBe(d);
    // Moves the gate does not wait for are not in what it checks.
    const quiet = inputs({ moves: [...inputs().moves, move("copy", 11), move("cancel", 12)] });
    expect(gatePlan(quiet)).toEqual(gatePlan(inputs()));
    expect(gateDigest(quiet, "gamedb", "img:1")).toBe(d);
  });
});

describe("passwords.json", () => {
  it("keys the passwords by shard id", () => {
    expect(JSON.parse(moverSecretsText({ 4: "pw-four", 5: "pw-five" }))).toEqual({ "4": "pw-four", "5": "pw-five" });
  });

  it("refuses an empty password without printing any password", () => {
    let message = "";
    try {
      moverSecretsText({ 4: "pw-secret-four", 5: "" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("passwords.json: every key must be a shard id and every password non-empty (shards 4, 5)");
  });
});

describe("the pods", () => {
  it("read the spec and the passwords from one projected volume, as the image's user, with no token or env", () => {
    const names = { configMap: "cm", secret: "sec" };
    for (const [pod, file, args] of [
      [moverPodSpec("img", names), "move.json", ["run", "--spec", MOVE_SPEC_PATH, "--secrets", SECRETS_PATH]],
      [gatePodSpec("img", names), "gate.json", ["gate", "--spec", GATE_SPEC_PATH, "--secrets", SECRETS_PATH]],
    ] as const) {
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, fsGroup: MOVER_UID });
      const [container] = pod.containers;
      expect(container!.args).toEqual(args);
      expect(container).not.toHaveProperty("env");
      expect(container!.securityContext).toMatchObject({ runAsUser: MOVER_UID, readOnlyRootFilesystem: true });
      expect(pod.volumes[0]).toHaveProperty("projected.sources", [
        { configMap: { name: "cm", items: [{ key: file, path: file }] } },
        { secret: { name: "sec", items: [{ key: "passwords.json", path: "secrets/passwords.json", mode: 0o440 }] } },
      ]);
    }
    expect(SECRETS_PATH).toBe("/etc/gamedb-move/secrets/passwords.json");
  });

  it("run the Dockerfile's mover target: its entry point, its user, its status port", () => {
    const dockerfile = readFileSync(join(__dirname, "..", "..", "Dockerfile"), "utf8");
    const target = dockerfile.slice(dockerfile.indexOf("AS mover\n"));
    expect(target).toMatch(/^AS mover\n/);
    expect(target).toContain('ENTRYPOINT ["node", "/app/dist/scripts/apps/mover/main.js"]');
    expect(target).toContain(`USER ${MOVER_UID}:${MOVER_UID}`);
    expect(target).toContain(`EXPOSE ${MOVER_STATUS_PORT}`);
    expect(dockerfile).toContain("docker build --target mover");
  });
});
