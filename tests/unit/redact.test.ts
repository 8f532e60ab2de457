import * as pulumi from "@pulumi/pulumi";
import { redactSecrets } from "../../scripts/lib/evaluate";

const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

describe("redactSecrets", () => {
  it("replaces every Pulumi secret envelope, however deep, by the placeholder", () => {
    expect(
      redactSecrets({ password: secret("hunter2"), nested: [{ token: secret({ a: 1 }) }, "plain"], n: 3 }),
    ).toEqual({ password: "[secret]", nested: [{ token: "[secret]" }, "plain"], n: 3 });
    expect(JSON.stringify(redactSecrets([secret("hunter2")]))).not.toContain("hunter2");
  });

  it("copies only what holds a secret: plain data without one is returned as it is", () => {
    const plain = { a: [1, { b: "x" }], c: null, d: { e: undefined } };
    expect(redactSecrets(plain)).toBe(plain);
    const withSecret = { keep: { a: 1 }, hide: secret("hunter2") };
    const redacted = redactSecrets(withSecret) as Record<string, unknown>;
    expect(redacted).not.toBe(withSecret);
    expect(withSecret.hide).toEqual(secret("hunter2"));
    expect(redacted).toEqual({ keep: { a: 1 }, hide: "[secret]" });
  });

  it("writes the same JSON as a full copy, class instances included", () => {
    class Box {
      constructor(public inner: unknown) {}
      toJSON() {
        return "a class's own JSON";
      }
    }
    const value = { box: new Box({ s: secret("hunter2") }), list: [new Box(1)] };
    // A class instance is copied to a plain object as before, its own JSON form dropped.
    expect(JSON.stringify(redactSecrets(value))).toBe('{"box":{"inner":{"s":"[secret]"}},"list":[{"inner":1}]}');
  });
});
