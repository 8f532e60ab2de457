/**
 * Keeps a reference to every resource object Pulumi registers from now on, for the typed floor's shape summary
 * (resourceShapes.ts). evaluate() keeps its resource objects to itself and the mock runtime has no root stack
 * resource to hang a stack transformation on, so this wraps the runtime's registerResource, which every custom
 * and component resource's constructor calls through the module's exports
 * (@pulumi/pulumi 3.248 resource.js: `resource_1.registerResource(this, parent, t, name, custom, ...)`).
 * Bench worker only: the references keep the objects alive until the summary is taken.
 */
// A require, not `import * as`: the namespace object of an import is a copy, and the wrapper must replace the export
// that resource.js reads at each call.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import runtimeResource = require("@pulumi/pulumi/runtime/resource");
import type * as pulumi from "@pulumi/pulumi";
import type { ObservedResource } from "./resourceShapes";

export interface Capture {
  /** Custom resources registered since start, with their type tokens. */
  custom(): ObservedResource[];
  /** Puts the runtime's own function back. */
  stop(): void;
}

export function captureResources(): Capture {
  const exports = runtimeResource as unknown as { registerResource: (...args: unknown[]) => unknown };
  const original = exports.registerResource;
  const seen: ObservedResource[] = [];
  exports.registerResource = function (this: unknown, ...args: unknown[]) {
    // The `custom` argument, not CustomResource.isInstance: the subclass marks itself only after Resource's constructor.
    const [res, , type, , custom] = args as [pulumi.Resource, unknown, string, string, boolean];
    if (custom) seen.push({ type, resource: res });
    return original.apply(this, args);
  };
  if (exports.registerResource === original)
    throw new Error("could not wrap @pulumi/pulumi/runtime/resource registerResource (read-only export?)");
  return {
    custom: () => seen,
    stop: () => {
      exports.registerResource = original;
    },
  };
}
