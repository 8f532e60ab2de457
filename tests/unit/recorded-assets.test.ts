/** Assets and archives in recorded inputs are resolved to what the engine sees (scripts/lib/recordedAssets.ts). */
import * as pulumi from "@pulumi/pulumi";
import { withResolvedAssets } from "../../scripts/lib/recordedAssets";

describe("withResolvedAssets", () => {
  it("records an archive's and an asset's path, and an asset archive's members", async () => {
    const inputs = {
      source: new pulumi.asset.FileArchive(".gamedb/toolkit/0123456789abcdef"),
      list: [new pulumi.asset.StringAsset("hello")],
      nested: { a: new pulumi.asset.AssetArchive({ "x.txt": new pulumi.asset.FileAsset("x.txt") }), n: 1 },
      other: "kept",
    };
    expect(JSON.parse(JSON.stringify(await withResolvedAssets(inputs)))).toEqual({
      source: { __pulumiArchive: true, path: ".gamedb/toolkit/0123456789abcdef" },
      list: [{ __pulumiAsset: true, text: "hello" }],
      nested: { a: { __pulumiArchive: true, assets: { "x.txt": { __pulumiAsset: true, path: "x.txt" } } }, n: 1 },
      other: "kept",
    });
  });

  it("returns inputs without any asset as they are", async () => {
    const inputs = { create: "echo", connection: { host: "h" }, triggers: ["a"] };
    expect(await withResolvedAssets(inputs)).toBe(inputs);
  });
});
