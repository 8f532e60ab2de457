/**
 * One connection per node, every command bounded in time, every failure an error that names the node. A reply
 * error (ERR ...) keeps the connection; anything else (refused, timed out, closed) drops it, so the next command
 * reconnects: nodes restart and reset under the controller.
 */
import Redis from "ioredis";

export interface Address {
  readonly host: string;
  readonly port: number;
}

export type Arg = string | number;

/**
 * redis.tls: every connection is TLS, the node's certificate verified against `ca` and the host name dialled
 * (Node's default checkServerIdentity; pods are dialled by their DNS names, which their certificate names).
 */
export interface TlsTrust {
  /** The CA certificate's PEM. */
  readonly ca: string;
  /** Its file, for redis-cli (`--cacert`). */
  readonly caFile: string;
}

/** A command that failed on a node: the message names the node and the command, never the password. */
export class NodeCommandError extends Error {
  constructor(
    message: string,
    /** The server's reply, for a reply error (e.g. "ERR Unknown node ..."); undefined when no reply came. */
    readonly reply?: string,
  ) {
    super(message);
    this.name = "NodeCommandError";
  }
}

/** A one-line reason from what ioredis or the socket threw (its code first: ECONNREFUSED, ENOTFOUND). */
export function reason(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === "string" ? err.message : String(e);
  const code = typeof err?.code === "string" && !message.includes(err.code) ? `${err.code}: ` : "";
  return `${code}${message}`.replace(/\s+/g, " ").trim();
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s (${what})`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

interface Entry {
  readonly client: Redis;
  /** The socket's own last error (ECONNREFUSED, ENOTFOUND): it says more than "Connection is closed.". */
  socketError?: unknown;
}

export class Connections {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: {
      /** none: no AUTH at all */
      readonly password?: string;
      /** Bound on connecting and on each command. */
      readonly timeoutMs: number;
      /** none: plain TCP */
      readonly tls?: TlsTrust;
    },
  ) {}

  private async connected(at: Address): Promise<Entry> {
    const key = `${at.host}:${at.port}`;
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const client = new Redis({
      host: at.host,
      port: at.port,
      password: this.options.password || undefined,
      ...(this.options.tls ? { tls: { ca: this.options.tls.ca } } : {}),
      protocol: 2,
      disableClientInfo: true,
      connectTimeout: this.options.timeoutMs,
      commandTimeout: this.options.timeoutMs,
      lazyConnect: true,
      enableReadyCheck: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const entry: Entry = { client };
    client.on("error", (e: unknown) => (entry.socketError = e));
    this.entries.set(key, entry);
    await withTimeout(client.connect(), this.options.timeoutMs, "connect");
    return entry;
  }

  /** `args` on the node at `at`; `name` says which node in errors ("pod 3 (host:port)"). */
  async call(at: Address, name: string, args: readonly Arg[]): Promise<unknown> {
    const shown = args.slice(0, 2).join(" ");
    const key = `${at.host}:${at.port}`;
    try {
      const { client } = await this.connected(at);
      const [command, ...rest] = args;
      return await withTimeout(client.call(String(command), rest.map(String)), this.options.timeoutMs, shown);
    } catch (e) {
      if ((e as { name?: string }).name === "ReplyError") {
        const reply = String((e as Error).message);
        throw new NodeCommandError(`${name}: ${shown} failed: ${reason(e)}`, reply);
      }
      const socketError = this.entries.get(key)?.socketError;
      this.drop(key);
      throw new NodeCommandError(`${name}: ${shown} failed: ${reason(socketError ?? e)}`);
    }
  }
  /** A command's reply as text (CLUSTER NODES, INFO ...). */
  async text(at: Address, name: string, args: readonly Arg[]): Promise<string> {
    const reply = await this.call(at, name, args);
    return Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply);
  }

  drop(key: string): void {
    this.entries.get(key)?.client.disconnect();
    this.entries.delete(key);
  }

  close(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }
}
