/** The SSH connection of a remote command: to a host, through the bastion when one is configured. */
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";

/** The SSH jump host remote commands go through (ssh.bastion). */
export interface Bastion {
  /** The bastion's address (name or IP) as the machine running Pulumi reaches it. */
  readonly host: string;
  /** The SSH user on the bastion. */
  readonly user: string;
  /** The bastion's SSH port. */
  readonly port: number;
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
