/**
 * The offline plan end to end: the CLI's output, its JSON document, its diff, its exit codes, and that secrets
 * never appear. One test also runs `npm run plan` as a new user would.
 */
import { spawnSync } from "node:child_process";
import { parse, stringify } from "yaml";
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, EXIT } from "../../scripts/cli/plan";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { currentToolkit } from "../../infra/toolkit/build";

import { runCli } from "../helpers/cli";

const ROOT = join(__dirname, "..", "..");

const run = (args: string[]) => runCli(main, args);

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "gamedb-plan-"));
}

describe("npm run plan", () => {
  it("prints the topology, the resource tree and counts by type for dev", async () => {
    const { code, out } = await run(["--stack", "dev"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain("Topology: environment dev, region eu-west-1, zones eu-west-1a, eu-west-1b");
    expect(out).toContain("  shard 1 alpha [active] 1 node, slots 0-8191 (50.00% of keys)");
    expect(out).toContain("    shard2-node0  server_id 2001  eu-west-1a  t3.large");
    expect(out).toContain("Resources: 168");
    expect(out).toContain(
      "  gamedb:index:GameDbPlatform gamedb\n  ├─ pulumi:providers:aws gamedb-aws\n  ├─ gamedb:network:Network gamedb-network",
    );
    expect(out).toMatch(/^ +3 {2}aws:ec2\/subnet:Subnet$/m);
  });

  it("writes the machine-readable plan with --json", async () => {
    const file = join(tmp(), "prod.json");
    const { code } = await run(["--stack", "prod", "--json", file, "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    const doc = JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
    expect(Object.keys(doc).sort()).toEqual(["outputs", "project", "resources", "stack", "toolkit", "topology"]);
    expect(doc.project).toBe("gamedb");
    expect(doc.stack).toBe("prod");
    expect(doc.resources).toHaveLength(373);
    expect(Object.keys(doc.resources[0]!).sort()).toEqual([
      "custom",
      "dependencies",
      "inputs",
      "name",
      "options",
      "parent",
      "type",
      "urn",
    ]);
    expect(Object.keys(doc.resources[0]!.options).sort()).toEqual([
      "dependsOn",
      "ignoreChanges",
      "protect",
      "retainOnDelete",
    ]);
    expect(doc.topology.shards.map((s) => s.id)).toEqual([1, 2, 3, 4]);
  });

  it("takes any stack file with --config, naming the stack from the file or --stack", async () => {
    const dir = tmp();
    copyFileSync(join(ROOT, "Pulumi.dev.yaml"), join(dir, "Pulumi.qa.yaml"));
    const named = await run(["--config", join(dir, "Pulumi.qa.yaml")]);
    expect(named.code).toBe(EXIT.invalidConfig);
    expect(named.err).toContain('gamedb:environment: is required for stack "qa"; use one of "dev", "prod"');
    copyFileSync(join(ROOT, "Pulumi.dev.yaml"), join(dir, "candidate.yaml"));
    const given = await run(["--config", join(dir, "candidate.yaml"), "--stack", "dev", "--no-tree"]);
    expect(given.code).toBe(EXIT.ok);
    expect(given.out).toContain("gamedb plan of stack dev");
  });

  it("prints what an edit changes with --against, including the slot movement", async () => {
    const dir = tmp();
    const base = join(dir, "base.json");
    expect((await run(["--stack", "prod", "--json", base, "--no-tree"])).code).toBe(EXIT.ok);
    const doc = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    doc.config["gamedb:shards"][3].slots = ["12288-14335"];
    doc.config["gamedb:shards"].push({ id: 5, name: "echo", nodes: 3, state: "active", slots: ["14336-16383"] });
    doc.config["gamedb:ssh"].adminCidrs.push("192.168.10.0/24");
    writeFileSync(join(dir, "Pulumi.prod.yaml"), stringify(doc));
    const { code, out } = await run(["--config", join(dir, "Pulumi.prod.yaml"), "--against", base, "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(`Against ${base}:`);
    expect(out).toContain("  shards added: 5");
    expect(out).toContain("  nodes added: shard5-node0, shard5-node1, shard5-node2");
    expect(out).toContain("  slots moved: 2048 of 16384 (12.50% of keys)");
    expect(out).toContain("    14336-16383: 4 -> 5 (2048 slots)");
    // The new shard's 34 resources (each node's toolkit copy and install among them) and its game accounts' 3
    // passwords, its router's 5 (the bootstrap script's ConfigMap is every router's), its backup policy and 3
    // backup-job commands, and the admin rule; the endpoints ConfigMap learns of them, the monitoring worker's
    // dependsOn gains its cluster, and the restore verification its id (the shard is active). The migration Job's
    // config learns the shard and slot map, so a new Job replaces the finished one.
    expect(out).toContain("  resources: 64 to create, 4 to change, 1 to delete");
    expect(out).toContain("    + command:remote:Command shard5-converge");
    expect(out).toContain(
      "    + aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule gamedb-network-admin-ssh-192-168-10-0-24",
    );
  });

  it("compares with another stack by name", async () => {
    const { code, out } = await run(["--stack", "dev", "--against", "prod", "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain("  shards removed: 3, 4");
    expect(out).toContain("    ~ aws:ec2/vpc:Vpc gamedb-network-vpc (cidrBlock)");
    // The base stack is evaluated on this checkout: the same toolkit, so no file changed.
    expect(out).toContain(`  toolkit: ${currentToolkit().version}, unchanged\n`);
  });

  it("exits 1 and prints every problem for an invalid config", async () => {
    const dir = tmp();
    const bad = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace(
        'nodes: 3\n      state: active\n      slots: ["0-4095"]',
        'nodes: 4\n      state: active\n      slots: ["0-4000"]',
      )
      .replace("replicas: 2", "replicas: 1");
    writeFileSync(join(dir, "Pulumi.prod.yaml"), bad);
    const { code, err, out } = await run(["--config", join(dir, "Pulumi.prod.yaml")]);
    expect(code).toBe(EXIT.invalidConfig);
    expect(out).toBe("");
    expect(err).toBe(
      [
        "invalid gamedb config (3 problems):",
        "  - gamedb:shards[0].nodes: 4 is even; use an odd count from 3 to 9 (prod)",
        "  - gamedb:shards: slots 4001-4095 are owned by no active shard; every slot 0-16383 must be owned by exactly one active shard",
        "  - gamedb:router.replicas: 1: prod needs at least 2 so a router pod's loss does not cut a shard off",
      ].join("\n"),
    );
  });

  it.each([
    [["--stack", "nope"], "no stack file"],
    [[], "give --stack NAME or --config FILE"],
    [["--config", "/nonexistent/Pulumi.x.yaml"], "cannot read /nonexistent/Pulumi.x.yaml"],
    [
      ["--config", "/tmp/x.yaml"],
      "cannot tell the stack name from x.yaml; name it Pulumi.<stack>.yaml or pass --stack",
    ],
    [["--stack", "dev", "--against", "/nonexistent.json"], "no plan file /nonexistent.json"],
    [["--bogus"], "unknown option '--bogus'"],
  ])("exits 2 on bad usage %j", async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
  });

  it("never decrypts or prints secure: values, and marks them secret", async () => {
    const dir = tmp();
    const cipher = "v1:AAAABBBBCCCCsecretciphertext==";
    const withSecret =
      readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8") + `  gamedb:environment:\n    secure: ${cipher}\n`;
    writeFileSync(join(dir, "Pulumi.dev.yaml"), withSecret);
    const file = join(dir, "plan.json");
    const { code, out, err } = await run(["--config", join(dir, "Pulumi.dev.yaml"), "--json", file]);
    // The program reads the placeholder, not the value: environment "[secret]" is rejected, and says so.
    expect(code).toBe(EXIT.invalidConfig);
    expect(err).toContain('gamedb:environment: "[secret]" is not allowed');
    expect(out + err).not.toContain(cipher);
    expect(() => readFileSync(file)).toThrow(); // no plan is written for an invalid config
  });

  it("runs as `npm run plan -- --stack dev` in a fresh process", () => {
    const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", "dev", "--no-tree"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Resources: 168");
    const bad = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack"], { cwd: ROOT, encoding: "utf8" });
    expect(bad.status).toBe(2);
  });
});
