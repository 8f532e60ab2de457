/**
 * The MariaDB stand-in's own housekeeping: one template per process however many test files load the module, and
 * what a killed process left in /dev/shm is removed by the next one (CI ran out of memory on such leftovers).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

const parent = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
/** Above Linux's pid_max ceiling (2^22), so no process has it. */
const DEAD_PID = 4_194_305;
const mine = () => fs.readdirSync(parent).filter((n) => n.includes(`-${process.pid}`));

describe("MariaDB stand-in directories", () => {
  it("removes a dead process's directories and reuses this process's template across module loads", async () => {
    const stale = [`gamedb-mariadb-template-${DEAD_PID}`, `gamedb-mariadb-${DEAD_PID}-abc123`];
    for (const name of stale) fs.mkdirSync(path.join(parent, name, "data"), { recursive: true });
    const fleet = await startMariaDbFleet(1);
    await fleet.stopAll();
    for (const name of stale) expect(fs.existsSync(path.join(parent, name))).toBe(false);
    expect(mine()).toEqual([`gamedb-mariadb-template-${process.pid}`]);

    // A second test file gets a fresh copy of the module (jest's registry); it must find the same template.
    await jest.isolateModulesAsync(async () => {
      const again = await import("../../scripts/lib/standins/mariadb");
      const other = await again.startMariaDbFleet(1);
      await other.stopAll();
    });
    expect(mine()).toEqual([`gamedb-mariadb-template-${process.pid}`]);
  });
});
