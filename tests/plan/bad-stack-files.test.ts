/**
 * Bad input never crashes the program (issue 18, item 5). Generated stack files (the shipped ones mutated at any
 * depth, their YAML text corrupted) go through config loading and the offline plan as the CLI runs them, in-process,
 * and a few through the CLI process. Each either plans, or exits 1 listing problems that each name a config path,
 * or (YAML that does not parse) exits 2 naming the file: never a stack trace, and within a time bound per case.
 */
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError, Problem } from "../../infra/config/errors";
import { loadStackConfig } from "../../infra/plan/load";
import { EXIT, main } from "../../scripts/cli/plan";
import { readStackConfig, UsageError } from "../../scripts/lib/stackFile";
import { runCli } from "../helpers/cli";
import {
  Mutation,
  StackName,
  applyMutations,
  applyTextEdit,
  badStack,
  shippedConfig,
  shippedText,
  textEdit,
} from "../helpers/badStackFiles";

const ROOT = join(__dirname, "..", "..");
/** Per case, the plan included (a valid prod stack plans in about a second on an idle machine). */
const CASE_LIMIT_MS = 5_000;
/** A deeper search: BAD_STACK_RUNS=2000 BAD_STACK_SEED=7 npx jest tests/plan/bad-stack-files.test.ts */
const RUNS = Number(process.env.BAD_STACK_RUNS ?? 60);
const SEED = process.env.BAD_STACK_SEED === undefined ? undefined : Number(process.env.BAD_STACK_SEED);
// No shrinking (endOnFailure): a plan that crashed mid-way leaves resources registering with the mocks, and the
// next plan's mocks reject them as unknown, an unhandled rejection that ends the run before the report. The
// counterexample is printed as generated: at most three mutations.

const STACK_TRACE =
  /\n\s+at \S|\b(TypeError|ReferenceError|RangeError)\b|Cannot read propert|is not a function|is not iterable|Maximum call stack/;
/** What a message shows when code printed a value it did not expect (quoted values, the operator's text, aside). */
const GARBAGE = /\bundefined\b|\bNaN\b|\[object \w+\]/;
/** A control character would break the one-problem-per-line listing (or hide text, as \r does). */
const CONTROL = /\p{Cc}/u;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gamedb-bad-stack-"));
  // Loads the program's modules (a few seconds, once), so the time bound measures each case alone.
  expect((await runCli(main, ["--stack", "dev", "--no-tree"])).code).toBe(EXIT.ok);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(stack: StackName, text: string): string {
  const file = join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(file, text);
  return file;
}

function expectNamesItsPath(p: Problem): void {
  expect(p.path).toMatch(/^gamedb:\S/);
  expect(p.path).not.toMatch(CONTROL);
  expect(p.message).not.toMatch(CONTROL);
  expect(p.message.replace(/"(?:[^"\\]|\\.)*(?:"|$)/g, '""')).not.toMatch(GARBAGE);
  expect(p.message).not.toMatch(STACK_TRACE);
}

const mutated = (stack: StackName, mutations: Mutation[]) =>
  stringify({ config: applyMutations(shippedConfig(stack), mutations) });

type Outcome = "planned" | "invalid" | "unreadable";

/** Loads and plans the stack file as `npm run plan -- --config FILE` does, and checks the outcome. */
async function check(stack: StackName, text: string): Promise<Outcome> {
  const file = write(stack, text);
  const started = performance.now();
  let error: ConfigError | UsageError | undefined;
  try {
    const config = readStackConfig(file, { projectDir: ROOT });
    loadStackConfig(config.config, config.stack);
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof UsageError)) throw e;
    error = e;
  }
  // A crash rejects here: main returns a code for every error it expects.
  const run = await runCli(main, ["--config", file, "--no-tree"]);
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
  expect(`${run.out}\n${run.err}`).not.toMatch(STACK_TRACE);
  if (error instanceof UsageError) {
    expect(run).toMatchObject({ code: EXIT.usage, err: `error: ${error.message}` });
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid YAML: `));
    return "unreadable";
  }
  if (error) {
    expect(error.problems.length).toBeGreaterThan(0);
    error.problems.forEach(expectNamesItsPath);
    expect(run).toMatchObject({ code: EXIT.invalidConfig, err: error.message });
    return "invalid";
  }
  if (run.code === EXIT.invalidConfig) {
    // What the program finds after loading: a static host without gamedb:sshPrivateKey, unreadable migrations.
    expect(run.err).toMatch(/^(invalid gamedb config \(\d+ problems?\):\n {2}- )?gamedb:\S/);
    return "invalid";
  }
  expect(run.code).toBe(EXIT.ok);
  expect(run.out).toContain(`gamedb plan of stack ${stack}`);
  return "planned";
}

describe("generated stack files, in-process", () => {
  it("a shipped stack mutated at any depth plans, or exits 1 naming a config path in every problem", async () => {
    const seen: Record<Outcome, number> = { planned: 0, invalid: 0, unreadable: 0 };
    await fc.assert(
      fc.asyncProperty(badStack, async ({ stack, mutations }) => {
        seen[await check(stack, stringify({ config: applyMutations(shippedConfig(stack), mutations) }))]++;
      }),
      { numRuns: RUNS, seed: SEED ?? 1805, endOnFailure: true },
    );
    // The generators reach both outcomes: the plan itself also runs on odd values that pass validation.
    expect(seen.planned).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
  });

  it("a shipped stack's YAML text corrupted plans, exits 1 naming config paths, or exits 2 naming the file", async () => {
    const seen: Record<Outcome, number> = { planned: 0, invalid: 0, unreadable: 0 };
    const corrupted = fc.record({
      stack: fc.constantFrom<StackName>("dev", "prod"),
      edits: fc.array(textEdit, { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(corrupted, async ({ stack, edits }) => {
        seen[await check(stack, edits.reduce(applyTextEdit, shippedText(stack)))]++;
      }),
      { numRuns: RUNS, seed: SEED ?? 1806, endOnFailure: true },
    );
    expect(seen.invalid).toBeGreaterThan(0);
    expect(seen.unreadable).toBeGreaterThan(0);
  });
});

describe("errors the program raises after loading", () => {
  it("exits 1 naming gamedb:schema.migrations when the directory cannot be read", async () => {
    const file = write(
      "dev",
      mutated("dev", [{ kind: "add", path: ["gamedb:schema"], key: "migrations", value: "no/such/dir" }]),
    );
    expect(await runCli(main, ["--config", file, "--no-tree"])).toMatchObject({
      code: EXIT.invalidConfig,
      err: "gamedb:schema.migrations: migrations directory no/such/dir cannot be read: ENOENT: no such file or directory, scandir 'no/such/dir'",
    });
  });
});

/** `npm run plan -- --config FILE` as a process: its exit code and stderr, nothing in-process to catch a crash. */
function planProcess(stack: StackName, text: string) {
  const file = write(stack, text);
  const started = performance.now();
  const r = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/cli/plan.ts", "--config", file], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr, file, ms: performance.now() - started };
}

describe("the CLI process", () => {
  it("exits 1 with one path-named line per problem for wrong types, huge numbers and odd strings at any depth", () => {
    const r = planProcess(
      "prod",
      mutated("prod", [
        { kind: "set", path: ["gamedb:shards", 1, "nodes"], value: "3" },
        { kind: "set", path: ["gamedb:mysql", "dataVolume", "sizeGiB"], value: 1e21 },
        { kind: "set", path: ["gamedb:aws", "availabilityZones", 0], value: "$(reboot)\n" },
        { kind: "add", path: ["gamedb:redis"], key: "constructor", value: [[{}]] },
        { kind: "jsonText", key: "gamedb:backup", cut: 7, insert: "" },
      ]),
    );
    expect(r.status).toBe(EXIT.invalidConfig);
    const [header, ...lines] = r.stderr.trimEnd().split("\n");
    expect(header).toBe(`invalid gamedb config (${lines.length} problems):`);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) expect(line).toMatch(/^ {2}- gamedb:\S+: \S/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.ms).toBeLessThan(30_000);
  });

  it("exits 2 naming the file for YAML that does not parse", () => {
    const r = planProcess("dev", shippedText("dev").replace("gamedb:shards:", "gamedb:shards: [\n"));
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain(`error: ${r.file} is not valid YAML: `);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.ms).toBeLessThan(30_000);
  });
});
