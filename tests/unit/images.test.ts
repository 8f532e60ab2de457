/**
 * What the three container images run (Dockerfile): there is no container engine here, so this compiles the same
 * tsconfig.build.json the image build uses and starts each entry point with `node`, as the images' ENTRYPOINTs do,
 * with the runtime dependencies only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const DIST = join(ROOT, "dist");

describe("the container entry points", () => {
  beforeAll(() => {
    rmSync(DIST, { recursive: true, force: true });
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: process.env,
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, 120000);
  afterAll(() => rmSync(DIST, { recursive: true, force: true }));

  it("the Dockerfile runs exactly these entry points", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/dist/scripts/apps/monitor/main.js"]');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/dist/scripts/apps/restore-verify/main.js"]');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/dist/scripts/apps/redis-controller/main.js"]');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/dist/scripts/apps/migrate/main.js"]');
    expect(dockerfile).toContain("FROM ${REDIS_IMAGE} AS redis-controller");
    expect(dockerfile).toMatch(/npx tsc -p tsconfig\.build\.json && npm prune --omit=dev/);
    // Every workspace's manifest is in the build context before npm ci, which installs from the lock file.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] };
    const npmCi = dockerfile.indexOf("RUN npm ci");
    for (const ws of pkg.workspaces) {
      const copy = dockerfile.indexOf(`COPY ${ws}/package.json ./${ws}/package.json`);
      expect([ws, copy > 0 && copy < npmCi]).toEqual([ws, true]);
    }
  });

  it.each([
    ["apps/monitor/main", /--config/],
    ["apps/restore-verify/main", /--bucket/],
    ["apps/redis-controller/main", /^usage: redis-controller drain\|reconcile\n/],
    ["apps/migrate/main", /^usage: migrate apply\|status\|rollback\|partitions/],
  ])("dist/scripts/%s.js starts and prints its usage", (name, usage) => {
    const entry = join(DIST, "scripts", `${name}.js`);
    expect(existsSync(entry)).toBe(true);
    const run = spawnSync(process.execPath, [entry, "--help"], { cwd: ROOT, encoding: "utf8", env: process.env });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(usage);
  });

  it("compiles nothing from tests/ (the build context leaves tests/ out: .dockerignore)", () => {
    expect(existsSync(join(DIST, "scripts"))).toBe(true);
    expect(existsSync(join(DIST, "tests"))).toBe(false);
    expect(readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n")).toContain("tests");
  });

  it("needs no development dependency at run time", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const dev = new Set(Object.keys(pkg.devDependencies));
    const imported = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".js"))
          for (const m of readFileSync(p, "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
            const spec = m[1]!;
            imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
          }
      }
    };
    walk(DIST);
    expect([...imported].filter((m) => dev.has(m))).toEqual([]);
  });
});
