/**
 * The MariaDB stand-in's own housekeeping: one template per process however many test files load the module, and
 * what a process that is gone left in /dev/shm (directories, and servers still running) is removed by the next
 * fleet that starts (CI ran out of memory on such leftovers).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

const parent = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
/** Above Linux's pid_max ceiling (2^22), so no process has it. */
const DEAD_PID = 4_194_305;
const mine = () =>
  fs.readdirSync(parent).filter((n) => new RegExp(`^gamedb-mariadb-(template-)?${process.pid}(-|$)`).test(n));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("MariaDB stand-in directories", () => {
  it("reuses this process's template across module loads", async () => {
    const fleet = await startMariaDbFleet(1);
    await fleet.stopAll();
    expect(mine()).toEqual([`gamedb-mariadb-template-${process.pid}`]);
    // Another test file gets a fresh copy of the module (jest's registry); it must find the same template.
    await jest.isolateModulesAsync(async () => {
      const again = await import("../../scripts/lib/standins/mariadb");
      const other = await again.startMariaDbFleet(1);
      await other.stopAll();
    });
    expect(mine()).toEqual([`gamedb-mariadb-template-${process.pid}`]);
  });

  it("removes a gone process's directories and kills the server it left running, template built or not", async () => {
    // A stand-in for a server whose owner died before stopping it.
    const orphan = spawn("sleep", ["300"], { stdio: "ignore" });
    const fleetDir = path.join(parent, `gamedb-mariadb-${DEAD_PID}-abc123`);
    const stale = [path.join(parent, `gamedb-mariadb-template-${DEAD_PID}`), fleetDir];
    try {
      for (const dir of stale) fs.mkdirSync(path.join(dir, "server-0"), { recursive: true });
      fs.writeFileSync(path.join(fleetDir, "server-0", "mysqld.pid"), `${orphan.pid}\n`);
      const exited = new Promise((resolve) => orphan.once("exit", resolve));
      const fleet = await startMariaDbFleet(1);
      await fleet.stopAll();
      await exited;
      expect(alive(orphan.pid!)).toBe(false);
      for (const dir of stale) expect(fs.existsSync(dir)).toBe(false);
    } finally {
      orphan.kill("SIGKILL");
      for (const dir of stale) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
