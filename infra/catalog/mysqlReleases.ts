/**
 * The MySQL 8.4 LTS releases `mysql.version` may pin. One version names three products: the server and MySQL Shell
 * installed on the hosts, and the community-router image; a release counts only when all three were published.
 *
 * - Server 8.4.0-8.4.10: mysql/mysql-docker, branch main, mysql-server/8.4/Dockerfile `MYSQL_SERVER_PACKAGE` at each
 *   "Release version 1.2.x-server" commit (1.2.16 for 8.4.0 ... 1.2.26 for 8.4.10, 2024-04-30 to 2026-06-17).
 * - Router 8.4.0-8.4.10: the same repository, mysql-router/8.4/Dockerfile `MYSQL_ROUTER_PACKAGE` at each
 *   "Release version 1.0.x-router" commit (1.0.16 for 8.4.0 ... 1.0.26 for 8.4.10).
 * - Shell 8.4.0, 8.4.1, 8.4.3-8.4.10: mysql/mysql-shell tags 8.4.0, 8.4.1, 8.4.3 ... 8.4.8 (there is no 8.4.2 tag),
 *   and mysql-server/8.4/Dockerfile `MYSQL_SHELL_PACKAGE` in mysql-docker: mysql-shell-8.4.1 in the 8.4.2 server
 *   release (1.2.18-server, 2024-07-23: no Shell 8.4.2 was published), mysql-shell-8.4.9 and -8.4.10 in the
 *   1.2.25 and 1.2.26 server releases (newer than the Shell tags read here).
 * (The repository's old mysql-server and mysql-router branches stop in 2021 at 8.0; the 8.4 history is on main.)
 */
export const MYSQL_84_RELEASES = [
  "8.4.0",
  "8.4.1",
  "8.4.3",
  "8.4.4",
  "8.4.5",
  "8.4.6",
  "8.4.7",
  "8.4.8",
  "8.4.9",
  "8.4.10",
] as const;

export type Mysql84Release = (typeof MYSQL_84_RELEASES)[number];
