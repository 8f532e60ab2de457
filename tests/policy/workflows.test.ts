/**
 * The GitHub Actions workflows: valid YAML with the keys Actions requires, actions pinned by major version, no
 * secrets in `if:` (Actions rejects them), and every command and path they use exists in this repository:
 * `npm run X` is a package.json script, `--prefix DIR` has a package.json and lockfile, `--stack S` and matrix
 * stacks have a Pulumi.S.yaml, repository paths in scripts exist, and apt installs the packages of
 * scripts/test-deps.sh (the one list of system programs the tests run).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";

const ROOT = join(__dirname, "..", "..");
const DIR = join(ROOT, ".github", "workflows");
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: object }).scripts,
);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Obj;
  if?: string;
  "working-directory"?: string;
}

function load(file: string): Obj {
  const doc = parseDocument(readFileSync(join(DIR, file), "utf8"), { prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
  return doc.toJS() as Obj;
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const workflows = files.map((f) => [f, load(f)] as const);
const jobsOf = (wf: Obj) => Object.entries(wf.jobs as Record<string, Obj>);
const stepsOf = (wf: Obj): Step[] => jobsOf(wf).flatMap(([, job]) => (job.steps ?? []) as Step[]);
const runsOf = (wf: Obj): string[] => stepsOf(wf).flatMap((s) => (s.run ? [s.run] : []));
const aptPackages = (text: string): string[] =>
  [...text.matchAll(/apt-get install ([^\n>]*)/g)].flatMap((m) =>
    m[1]!.split(/\s+/).filter((w) => w && !w.startsWith("-")),
  );

/** Tokens of a script that name a file or directory of this repository (relative, with a slash, no variables). */
function repoPaths(script: string): string[] {
  return script
    .split(/[\s"'`()]+/)
    .filter((t) => /^\.?[A-Za-z0-9_-][A-Za-z0-9_.-]*\/[A-Za-z0-9_./-]*[A-Za-z0-9_]$/.test(t))
    .filter((t) => !t.includes("$") && !/^(actions|pulumi|aws-actions)\//.test(t));
}

describe("GitHub Actions workflows", () => {
  it("exist: pr.yml and deploy.yml", () => {
    expect(files.sort()).toEqual(["deploy.yml", "pr.yml"]);
  });

  it.each(workflows)("%s has the keys Actions requires", (_file, wf) => {
    expect(typeof wf.name).toBe("string");
    expect(wf.on).toBeDefined();
    const jobs = jobsOf(wf);
    expect(jobs.length).toBeGreaterThan(0);
    for (const [id, job] of jobs) {
      expect({ id, runsOn: typeof job["runs-on"] }).toEqual({ id, runsOn: "string" });
      expect({ id, steps: Array.isArray(job.steps) && job.steps.length > 0 }).toEqual({ id, steps: true });
      for (const need of [job.needs ?? []].flat()) expect(Object.keys(wf.jobs)).toContain(need);
      for (const step of job.steps as Step[])
        expect({ id, step, one: !!step.uses !== !!step.run }).toMatchObject({ one: true });
    }
  });

  it.each(workflows)("%s pins actions by major version and keeps secrets out of if:", (_file, wf) => {
    for (const step of stepsOf(wf)) if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    const conditions = [...jobsOf(wf).map(([, job]) => job.if), ...stepsOf(wf).map((s) => s.if)].filter(Boolean);
    for (const c of conditions) expect(String(c)).not.toMatch(/secrets\./);
  });

  it.each(workflows)("%s runs only npm scripts this project has", (_file, wf) => {
    const used = runsOf(wf).flatMap((r) =>
      [...r.matchAll(/\bnpm run(?:\s+--?[\w-]+)*\s+([\w:-]+)/g)].map((m) => m[1]!),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(SCRIPTS).toContain(script);
  });

  it.each(workflows)("%s refers only to paths, packages and stacks that exist", (_file, wf) => {
    const runs = runsOf(wf);
    const scripts = [
      ...runs,
      ...stepsOf(wf).flatMap((s) => (typeof s.with?.script === "string" ? [s.with.script] : [])),
    ];
    const paths = [
      ...scripts.flatMap(repoPaths),
      ...stepsOf(wf).flatMap((s) => [s.with?.policyPacks, s.with?.["work-dir"], s["working-directory"]]),
    ].filter((p): p is string => typeof p === "string");
    expect(paths).toContain("policy"); // both workflows run the policy pack: the scan sees paths at all
    for (const p of paths) expect({ path: p, exists: existsSync(join(ROOT, p)) }).toEqual({ path: p, exists: true });
    for (const prefix of runs.flatMap((r) => [...r.matchAll(/--prefix\s+([\w./-]+)/g)].map((m) => m[1]!))) {
      expect(existsSync(join(ROOT, prefix, "package.json"))).toBe(true);
      expect(existsSync(join(ROOT, prefix, "package-lock.json"))).toBe(true); // npm ci needs it
    }
    const stacks = [
      ...runs.flatMap((r) => [...r.matchAll(/--stack\s+([\w-]+)/g)].map((m) => m[1]!)),
      ...jobsOf(wf).flatMap(([, job]) => (job.strategy?.matrix?.stack ?? []) as string[]),
    ];
    for (const s of stacks) expect(existsSync(join(ROOT, `Pulumi.${s}.yaml`))).toBe(true);
  });

  it.each(workflows)("%s installs the system packages scripts/test-deps.sh lists", (_file, wf) => {
    const list = spawnSync("bash", [join(ROOT, "scripts", "test-deps.sh"), "--list"], { encoding: "utf8" }).stdout;
    const wanted = [
      ...new Set(
        list
          .trim()
          .split("\n")
          .map((l) => l.split(" ")[1]!),
      ),
    ].sort();
    expect(wanted).toEqual(["gnupg", "mariadb-server", "redis-server", "redis-tools", "shellcheck"]);
    const installs = runsOf(wf).filter((r) => r.includes("apt-get install"));
    for (const r of installs) expect(aptPackages(r).sort()).toEqual(wanted);
    const testJobs = jobsOf(wf).filter(([, job]) => (job.steps as Step[]).some((s) => s.run === "npm test"));
    for (const [, job] of testJobs)
      expect((job.steps as Step[]).some((s) => s.run?.includes("apt-get install"))).toBe(true);
  });

  it("pr.yml: on pull requests, tests, plans and comments on every stack, previews only with credentials", () => {
    const wf = load("pr.yml");
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    const steps = (id: string) => wf.jobs[id].steps as Step[];
    expect(steps("test").map((s) => s.run)).toEqual(
      expect.arrayContaining(["npm ci --no-audit --no-fund", "npm run lint", "npm test"]),
    );
    const stackFiles = readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
    expect([...wf.jobs.plan.strategy.matrix.stack].sort()).toEqual(stackFiles.sort());
    const plan = steps("plan");
    expect(plan.some((s) => s.run?.includes("git worktree add") && s.run.includes("$BASE_SHA"))).toBe(true);
    expect(plan.some((s) => s.run?.includes("npm run --silent pr-comment --"))).toBe(true);
    expect(plan.some((s) => s.uses === "actions/github-script@v7")).toBe(true);
    expect(plan.at(-1)!.run).toContain("--check");
    // The review check of slot ownership needs the base plan (issue 16).
    expect(plan.at(-1)!.run).toContain('--against "$RUNNER_TEMP/base.json"');
    expect(wf.jobs.plan.permissions["pull-requests"]).toBe("write");
    expect(wf.jobs.preview.if).toBe("needs.credentials.outputs.available == 'true'");
    expect(wf.jobs["preview-skipped"].if).toBe("needs.credentials.outputs.available != 'true'");
    expect(steps("preview-skipped")[0]!.run).toContain("$GITHUB_STEP_SUMMARY");
    const pulumi = steps("preview").find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(pulumi).toMatchObject({ uses: "pulumi/actions@v6", with: { command: "preview", policyPacks: "policy" } });
    expect(steps("credentials")[0]!.run).toContain("available=");
  });

  it("deploy.yml: on push to main, up dev, then prod behind the production environment", () => {
    const wf = load("deploy.yml");
    expect(wf.on.push.branches).toEqual(["main"]);
    const up = (id: string) => (wf.jobs[id].steps as Step[]).find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(up("dev")).toMatchObject({ uses: "pulumi/actions@v6", with: { command: "up" } });
    expect(up("dev").with!["stack-name"]).toMatch(/dev$/);
    expect(up("prod").with!["stack-name"]).toMatch(/prod$/);
    expect(wf.jobs.prod.environment).toBe("production");
    expect([wf.jobs.prod.needs].flat()).toContain("dev");
    expect([wf.jobs.dev.needs].flat()).toContain("check");
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
  });
});
