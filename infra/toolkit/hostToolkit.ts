/**
 * Delivers the toolkit to one host: CopyToRemote stages the version directory in the SSH user's home, then a small
 * command installs it as /opt/gamedb/toolkit/<version> (checked against its MANIFEST) and makes it current. Both run
 * again only for a new version or a new host; every step on the host waits for the install.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { TOOLKIT_STAGING, installCommand } from "../contracts/toolkit";
import { Toolkit, currentToolkit, toolkitDirectory } from "./build";

export interface HostToolkitArgs {
  /** The node's name, which names the two resources. */
  readonly name: string;
  readonly connection: command.types.input.remote.ConnectionArgs;
  /** What identifies the machine (an instance id, a static address): a new one, or a new SSH user, copies again. */
  readonly hostId: pulumi.Input<string>;
  /** What must exist before the copy (an EBS attachment: nothing runs on a host without its data volume). */
  readonly after?: readonly pulumi.Resource[];
  /** @default this checkout's toolkit */
  readonly toolkit?: Toolkit;
}

/** Returns the install command, which the host's steps depend on. */
export function installHostToolkit(args: HostToolkitArgs, parent: pulumi.Resource): command.remote.Command {
  const toolkit = args.toolkit ?? currentToolkit();
  const copy = new command.remote.CopyToRemote(
    `${args.name}-toolkit-copy`,
    {
      connection: args.connection,
      source: new pulumi.asset.FileArchive(toolkitDirectory(toolkit)),
      remotePath: TOOLKIT_STAGING,
      // A new machine, or a new SSH user (whose home the copy is staged in), copies again.
      triggers: [args.hostId, args.connection.user ?? "root"],
    },
    { parent, dependsOn: [...(args.after ?? [])] },
  );
  return new command.remote.Command(
    `${args.name}-toolkit`,
    { connection: args.connection, create: installCommand(toolkit.version), logging: "stdoutAndStderr" },
    { parent, dependsOn: [copy] },
  );
}
