/**
 * mysql2 connection options for TLS verified against the stack's CA and the address or name dialled, checked during
 * the TLS handshake, before mysql2 sends the login.
 *
 * For a name mysql2 passes it to Node as the servername. For an IP address it passes none (mysql2 3.24
 * lib/base/connection.js startTLS), and Node checks the certificate against the name the socket was connected to,
 * `socket._host`, else "localhost" (Node 20 lib/_tls_wrap.js onConnectSecure); net.connect leaves `_host` unset for
 * an IP address. So for an IP mysql2 gets a socket from us (its `stream` factory) that carries the address there,
 * and Node's checkServerIdentity then matches it against the certificate's IP SANs.
 */
import { connect, isIP, type Socket } from "node:net";
import type * as mysql from "mysql2";

export interface VerifiedTls {
  ssl: mysql.SslOptions;
  /** For an IP address: the socket mysql2 runs on, named by that address. */
  stream?: () => Socket;
}

export function verifiedTls(ca: string, host: string, port: number): VerifiedTls {
  const ssl = { ca, rejectUnauthorized: true, verifyIdentity: true };
  if (isIP(host) === 0) return { ssl };
  return {
    ssl,
    stream: () => {
      const socket = connect(port, host) as Socket & { _host?: string };
      socket._host = host;
      // What mysql2 does with the sockets it makes itself.
      socket.setNoDelay(true);
      socket.once("connect", () => socket.setKeepAlive(true, 0));
      return socket;
    },
  };
}
