import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackConfig, stackNameFromFile, UsageError } from "../../scripts/lib/stackFile";

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-stack-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("readStackConfig", () => {
  it("flattens structured values to JSON text, namespaces bare keys to the project, and applies project defaults", () => {
    const dir = project({
      "Pulumi.yaml": "name: gamedb\nruntime: nodejs\nconfig:\n  environment:\n    type: string\n    default: dev\n",
      "Pulumi.qa.yaml": "config:\n  aws:region: eu-west-1\n  gamedb:router:\n    replicas: 2\n  color: blue\n",
    });
    expect(readStackConfig(join(dir, "Pulumi.qa.yaml"))).toEqual({
      project: "gamedb",
      stack: "qa",
      config: {
        "gamedb:environment": "dev",
        "aws:region": "eu-west-1",
        "gamedb:router": '{"replicas":2}',
        "gamedb:color": "blue",
      },
      secretKeys: [],
    });
  });
  it("never decrypts secure values, top-level or nested, and marks their keys secret", () => {
    const dir = project({
      "Pulumi.yaml": "name: gamedb\nruntime: nodejs\n",
      "Pulumi.dev.yaml":
        "config:\n  gamedb:token:\n    secure: v1:abc\n  gamedb:kubernetes:\n    kubeconfig:\n      secure: v1:def\n    namespace: x\n",
    });
    const s = readStackConfig(join(dir, "Pulumi.dev.yaml"));
    expect(s.config).toEqual({
      "gamedb:token": "[secret]",
      "gamedb:kubernetes": '{"kubeconfig":"[secret]","namespace":"x"}',
    });
    expect(s.secretKeys).toEqual(["gamedb:token", "gamedb:kubernetes"]);
  });
  it("names the problem with a file it cannot use", () => {
    const dir = project({ "Pulumi.yaml": "name: gamedb\n", "Pulumi.dev.yaml": "config: [unclosed\n" });
    expect(() => readStackConfig(join(dir, "Pulumi.dev.yaml"))).toThrow(UsageError);
    expect(() => readStackConfig(join(dir, "Pulumi.dev.yaml"))).toThrow(/Pulumi.dev.yaml is not valid YAML/);
    expect(stackNameFromFile("/a/Pulumi.prod.yaml")).toBe("prod");
    expect(stackNameFromFile("/a/prod.yaml")).toBeUndefined();
  });
});
