/** The SSH connection of a remote command: to a host, through the bastion when one is configured. */
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";

export interface Bastion {
  host: string;
  user: string;
  port: number;
}

/**
 * A new EC2 host refuses or drops connections until sshd is up, and the provider does not wait between dial
 * attempts, so the attempt budget is large; each attempt waits up to 30 s.
 */
export const DIAL_ERROR_LIMIT = 60;
export const PER_DIAL_TIMEOUT_SECONDS = 30;

export function sshConnection(
  host: pulumi.Input<string>,
  user: string,
  privateKey: pulumi.Output<string>,
  bastion?: Bastion,
): command.types.input.remote.ConnectionArgs {
  return {
    host,
    port: 22,
    user,
    privateKey,
    dialErrorLimit: DIAL_ERROR_LIMIT,
    perDialTimeout: PER_DIAL_TIMEOUT_SECONDS,
    ...(bastion
      ? {
          proxy: {
            host: bastion.host,
            port: bastion.port,
            user: bastion.user,
            privateKey,
            dialErrorLimit: DIAL_ERROR_LIMIT,
            perDialTimeout: PER_DIAL_TIMEOUT_SECONDS,
          },
        }
      : {}),
  };
}
