// scripts/apps/mover/main.ts: the mover program's exit codes and messages before it connects anywhere: 2 for bad
// usage, 1 for an invalid spec or an unreadable file, each named. Run in-process (main writes through out/err).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, main } from "../../scripts/apps/mover/main";

let dir: string;
const file = (name: string, value: unknown) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
  return p;
};
const SPEC = {
  id: 7,
  slots: { from: 0, to: 99 },
  phase: "copy",
  database: "game",
  source: { shard: 1, host: "gamedb-router-1", port: 6446 },
  target: { shard: 2, host: "gamedb-router-2", port: 6446 },
};

async function mover(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-mover-main-"));
  // Commander must not end the process nor write around main's err: make either visible as a failure.
  jest.spyOn(process, "exit").mockImplementation((code) => {
    throw new Error(`process.exit(${String(code)}) called`);
  });
  jest.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("mover main: usage", () => {
  it("exits 2 without a command, listing run and gate", async () => {
    const r = await mover([]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/Commands:\n {2}run \[options\] +run one slot move \(long-running\)\n {2}gate \[options\]/);
  });

  it("exits 2 on an unknown command, naming it", async () => {
    const r = await mover(["frob"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/unknown command 'frob'/);
  });

  it("exits 2 when --spec or --secrets is missing, naming the option, through main's err", async () => {
    const secrets = file("passwords.json", { "1": "a", "2": "b" });
    const noSpec = await mover(["run", "--secrets", secrets]);
    expect(noSpec).toEqual({
      code: EXIT.usage,
      out: "",
      err: expect.stringMatching(/required option '--spec <file>'/),
    });
    const noSecrets = await mover(["gate", "--spec", file("gate.json", {})]);
    expect(noSecrets.code).toBe(EXIT.usage);
    expect(noSecrets.err).toMatch(/required option '--secrets <file>'/);
  });
});

describe("mover main: input files", () => {
  it("exits 1 on an invalid spec, naming the file and each bad field", async () => {
    const spec = file("move.json", { ...SPEC, id: 0, slots: { from: 5, to: 1 }, phase: "move" });
    const r = await mover(["run", "--spec", spec, "--secrets", file("passwords.json", { "1": "a" })]);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err.startsWith(`${spec}: `)).toBe(true);
    expect(r.err).toMatch(/\bid: Too small/);
    expect(r.err).toMatch(/\bslots: from must not be above to/);
    expect(r.err).toMatch(/\bphase: /);
  });

  it("exits 1 on a spec that is not JSON, naming the file", async () => {
    const spec = file("move.json", "{ id: 7");
    const r = await mover(["run", "--spec", spec, "--secrets", file("passwords.json", {})]);
    expect(r).toEqual({ code: EXIT.refused, out: "", err: expect.stringMatching(new RegExp(`^${spec}: not JSON: `)) });
  });

  it("exits 1 naming a missing secrets file (after a valid spec), and a missing spec file", async () => {
    const missing = path.join(dir, "passwords.json");
    const r = await mover(["run", "--spec", file("move.json", SPEC), "--secrets", missing]);
    expect(r).toEqual({
      code: EXIT.refused,
      out: "",
      err: `${missing}: cannot read (ENOENT: no such file or directory, open '${missing}')`,
    });
    const noSpec = path.join(dir, "gate.json");
    const g = await mover(["gate", "--spec", noSpec, "--secrets", missing]);
    expect(g.code).toBe(EXIT.refused);
    expect(g.err.startsWith(`${noSpec}: cannot read (ENOENT`)).toBe(true);
  });

  it("exits 1 on a secrets file that is not a map of shard ids to passwords, naming the file but no password", async () => {
    const secrets = file("passwords.json", { shard1: "s3cret-value", "2": "" });
    const r = await mover(["run", "--spec", file("move.json", SPEC), "--secrets", secrets]);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err.startsWith(`${secrets}: `)).toBe(true);
    expect(r.err).toMatch(/\b2: Too small/);
    expect(r.err).toMatch(/\bshard1: Invalid key/);
    expect(r.err).not.toContain("s3cret-value");
  });
});
