#!/usr/bin/env node
// STAND-IN for mysqld (MySQL 8.4): there is no MySQL 8 on this machine. What it refuses and answers is described
// in tests/integration/verify-restore.test.ts.
const fs = require("fs"),
  net = require("net"),
  path = require("path");
const args = process.argv.slice(2);
const opt = (name) => {
  const a = args.find((x) => x.startsWith("--" + name + "="));
  return a === undefined ? undefined : a.slice(name.length + 3);
};
const log = (event, more) =>
  fs.appendFileSync(
    process.env.STANDIN_LOG,
    JSON.stringify({ prog: "mysqld", event, pid: process.pid, args, ...more }) + "\n",
  );
const fail = (msg) => {
  fs.appendFileSync(opt("log-error"), msg + "\n");
  log("failed", { msg });
  process.exit(1);
};
if (args[0] !== "--no-defaults") {
  console.error("--no-defaults must be the first option");
  process.exit(2);
}
const data = opt("datadir");
if (args.includes("--initialize-insecure")) {
  if (fs.existsSync(data) && fs.readdirSync(data).length > 0)
    fail("[ERROR] [MY-010457] --initialize specified but the data directory has files in it. Aborting.");
  fs.mkdirSync(path.join(data, "mysql"), { recursive: true });
  fs.writeFileSync(path.join(data, "auto.cnf"), "[auto]\nserver-uuid=00000000-0000-0000-0000-000000000000\n");
  log("initialized");
  process.exit(0);
}
log("start");
fs.appendFileSync(
  opt("log-error"),
  "[System] [MY-010116] [Server] mysqld (mysqld 8.4.3-stand-in) starting as process " + process.pid + "\n",
);
if (!fs.existsSync(path.join(data, "auto.cnf")))
  fail("[ERROR] [MY-010119] [Server] Aborting: not an initialized data directory");
const priv = opt("secure-file-priv");
if (priv !== undefined && !fs.existsSync(priv))
  fail("[ERROR] [MY-010095] [Server] Failed to access directory for --secure-file-priv.");
const mode = process.env.STANDIN_MYSQLD_MODE || "ok";
if (mode === "crash") fail("[ERROR] [MY-012681] [InnoDB] mmap(137438953472 bytes) failed; errno 12");
const socket = opt("socket");
let server;
process.on("SIGTERM", () => {
  if (server) server.close();
  try {
    fs.unlinkSync(socket);
  } catch {}
  log("stopped");
  process.exit(0);
});
if (mode === "hang") setInterval(() => {}, 1000);
else
  setTimeout(() => {
    // A MySQL handshake: 3-byte length, sequence 0, protocol version 10, server version.
    const payload = Buffer.concat([Buffer.from([10]), Buffer.from("8.4.3-stand-in\0")]);
    const packet = Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]);
    server = net.createServer((c) => c.end(packet));
    server.listen(socket, () => {
      fs.writeFileSync(opt("pid-file"), String(process.pid));
      log("ready");
    });
  }, 300);
