import * as pulumi from "@pulumi/pulumi";
import { redactSecrets } from "../../scripts/lib/evaluate";

describe("redactSecrets", () => {
  it("replaces every Pulumi secret envelope, however deep, by the placeholder", () => {
    const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });
    expect(
      redactSecrets({ password: secret("hunter2"), nested: [{ token: secret({ a: 1 }) }, "plain"], n: 3 }),
    ).toEqual({ password: "[secret]", nested: [{ token: "[secret]" }, "plain"], n: 3 });
    expect(JSON.stringify(redactSecrets([secret("hunter2")]))).not.toContain("hunter2");
  });
});
