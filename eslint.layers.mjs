// The program's layers point one way (../shared/design/ARCHITECTURE.md): catalog and contracts (constants and
// formats, pure) <- config (schema, defaults, errors, loading) <- plan (every decision, pure) <- components
// (network, mysql, redis, backup, kubernetes, monitoring) <- platform and outputs <- program. An import that points
// back up is a lint error here; tests/unit/layers.test.ts breaks the rule on purpose to show it is caught.
// The game-server client (client/, @gamedb/client) sits beside the program: it may import only the contract modules
// it shares with it (infra/contracts), and nothing in infra/ imports the client.

const COMPONENTS = [
  "network",
  "mysql",
  "redis",
  "backup",
  "kubernetes",
  "monitoring",
  "iam",
  "schema",
  "moves",
  "toolkit",
];
const ABOVE_COMPONENTS = ["platform", "outputs", "program"];

/**
 * A `no-restricted-imports` rule forbidding relative imports of these infra/ entries, with the reason. Files in a
 * folder reach other entries through "../" ("./x" is their own folder's); top-level files (infra/outputs.ts)
 * through "./".
 */
function forbid(entries, why, extra = [], topLevel = false) {
  return [
    "error",
    {
      patterns: [
        {
          regex: `^${topLevel ? "\\./" : "(\\.\\./)+"}(${entries.join("|")})(\\.ts)?(/|$)`,
          message: `layers point one way (eslint.layers.mjs): ${why}`,
        },
        NO_CLIENT,
        ...extra,
      ],
    },
  ];
}

const NO_CLIENT = {
  regex: "^(\\.\\./)+client(/|$)",
  message: "layers point one way (eslint.layers.mjs): the program does not import the game-server client",
};

const PULUMI = {
  regex: "^@pulumi/",
  message: "layers point one way (eslint.layers.mjs): this layer is pure, no Pulumi",
};

export default [
  {
    files: ["client/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+infra/(?!contracts/)",
              message:
                "layers point one way (eslint.layers.mjs): the client imports only the contracts it shares with the program (infra/contracts)",
            },
            PULUMI,
          ],
        },
      ],
    },
  },
  {
    files: ["infra/catalog/**/*.ts", "infra/contracts/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid(
        ["config", "plan", ...COMPONENTS, ...ABOVE_COMPONENTS],
        "catalog and contracts are the bottom layer; they import nothing of the program",
        [PULUMI],
      ),
    },
  },
  {
    files: ["infra/shell.ts"],
    rules: {
      "no-restricted-imports": forbid(
        ["config", "plan", ...COMPONENTS, ...ABOVE_COMPONENTS],
        "shell quoting is a bottom-layer helper",
        [PULUMI],
        true,
      ),
    },
  },
  {
    files: ["infra/config/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid(
        ["plan", ...COMPONENTS, ...ABOVE_COMPONENTS],
        "config may import only catalog and contracts; cross-key rules belong to infra/plan",
        [PULUMI],
      ),
    },
  },
  {
    files: ["infra/plan/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid(
        [...COMPONENTS, ...ABOVE_COMPONENTS],
        "the plan decides from config alone; components take their slice of it, never the other way",
        [PULUMI],
      ),
    },
  },
  {
    files: COMPONENTS.map((c) => `infra/${c}/**/*.ts`),
    rules: {
      "no-restricted-imports": forbid(ABOVE_COMPONENTS, "components do not know the platform that composes them"),
    },
  },
  {
    files: ["infra/iam.ts"],
    rules: {
      "no-restricted-imports": forbid(
        ABOVE_COMPONENTS,
        "components do not know the platform that composes them",
        [],
        true,
      ),
    },
  },
  {
    files: ["infra/platform/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid(["program", "outputs"], "the program composes the platform, not the reverse"),
    },
  },
  {
    files: ["infra/outputs.ts"],
    rules: {
      "no-restricted-imports": forbid(["program"], "the program composes the platform, not the reverse", [], true),
    },
  },
];
