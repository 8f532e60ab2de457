/**
 * Memory and CPU architecture of the EC2 instance types a game studio runs MySQL on. Pure: no AWS calls, so the
 * offline plan and my.cnf sizing work without credentials.
 *
 * Memory follows AWS's published sizes (GiB): within the current families memory is a fixed number of GiB per vCPU
 * (c: 2, m: 4, r: 8, x2idn: 16), and the vCPU count follows from the size name (medium 1 on Graviton, large 2,
 * xlarge 4, Nxlarge 4N). The burstable t families do not follow that rule and are listed one by one.
 * An unknown type yields `undefined`: callers fall back to MySQL's own sizing (innodb_dedicated_server).
 */

/** vCPUs of a size name in the c/m/r/x families. */
const VCPUS: Readonly<Record<string, number>> = {
  medium: 1,
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "12xlarge": 48,
  "16xlarge": 64,
  "24xlarge": 96,
  "32xlarge": 128,
  "48xlarge": 192,
};

interface Family {
  /** GiB of memory per vCPU. */
  gibPerVcpu: number;
  /** Virtualised sizes the family offers. */
  sizes: readonly string[];
  /** Bare-metal size names, each with the virtualised size it matches. */
  metal: Readonly<Record<string, string>>;
}

const UP_TO_16XL = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"] as const;
/** 5th generation Intel (m5, r5): up to 24xlarge; metal = 24xlarge. */
const GEN5 = { sizes: [...UP_TO_16XL, "24xlarge"], metal: { metal: "24xlarge" } };
/** 6th generation Intel (m6i, r6i, c6i): up to 32xlarge; metal = 32xlarge. */
const GEN6I = { sizes: [...UP_TO_16XL, "24xlarge", "32xlarge"], metal: { metal: "32xlarge" } };
/** 6th generation AMD (m6a, r6a): up to 48xlarge; metal = 48xlarge. */
const GEN6A = { sizes: [...UP_TO_16XL, "24xlarge", "32xlarge", "48xlarge"], metal: { metal: "48xlarge" } };
/** Graviton 2 and 3 (m6g, r6g, c6g, m7g, r7g, c7g): medium to 16xlarge; metal = 16xlarge. */
const GRAVITON = { sizes: ["medium", ...UP_TO_16XL], metal: { metal: "16xlarge" } };
/** 7th generation Intel (m7i, r7i, c7i): up to 48xlarge without 32xlarge; two metal sizes. */
const GEN7I = {
  sizes: [...UP_TO_16XL, "24xlarge", "48xlarge"],
  metal: { "metal-24xl": "24xlarge", "metal-48xl": "48xlarge" },
};

const FAMILIES: Readonly<Record<string, Family>> = {
  m5: { gibPerVcpu: 4, ...GEN5 },
  m6i: { gibPerVcpu: 4, ...GEN6I },
  m6a: { gibPerVcpu: 4, ...GEN6A },
  m6g: { gibPerVcpu: 4, ...GRAVITON },
  m7i: { gibPerVcpu: 4, ...GEN7I },
  m7g: { gibPerVcpu: 4, ...GRAVITON },
  r5: { gibPerVcpu: 8, ...GEN5 },
  r6i: { gibPerVcpu: 8, ...GEN6I },
  r6a: { gibPerVcpu: 8, ...GEN6A },
  r6g: { gibPerVcpu: 8, ...GRAVITON },
  r7i: { gibPerVcpu: 8, ...GEN7I },
  r7g: { gibPerVcpu: 8, ...GRAVITON },
  c6i: { gibPerVcpu: 2, ...GEN6I },
  c6g: { gibPerVcpu: 2, ...GRAVITON },
  c7i: { gibPerVcpu: 2, ...GEN7I },
  c7g: { gibPerVcpu: 2, ...GRAVITON },
  x2idn: { gibPerVcpu: 16, sizes: ["16xlarge", "24xlarge", "32xlarge"], metal: { metal: "32xlarge" } },
};

/** Burstable families: GiB by size (t3, t3a and t4g share the table). */
const BURSTABLE: Readonly<Record<string, number>> = {
  nano: 0.5,
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
};
const BURSTABLE_FAMILIES = new Set(["t3", "t3a", "t4g"]);
/** Burstable families: vCPUs by size. */
const BURSTABLE_VCPUS: Readonly<Record<string, number>> = {
  nano: 2,
  micro: 2,
  small: 2,
  medium: 2,
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
};

function split(instanceType: string): [family: string, size: string] | undefined {
  const m = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(instanceType);
  return m ? [m[1] as string, m[2] as string] : undefined;
}

/** A table's own entry for a name from config: never what every object inherits ("constructor", "toString"). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The family entry, also for the local-NVMe "d" variants (m5d, m6id, r6gd...), which have the base's memory. */
function family(name: string): Family | undefined {
  return own(FAMILIES, name) ?? (name.endsWith("d") ? own(FAMILIES, name.slice(0, -1)) : undefined);
}

/** vCPUs of a c/m/r/x family type (metal sizes as their virtual twin). */
function familyVcpus(f: Family, size: string): number | undefined {
  const virtualSize = own(f.metal, size) ?? (f.sizes.includes(size) ? size : undefined);
  return virtualSize === undefined ? undefined : own(VCPUS, virtualSize);
}

/** Memory of an instance type in GiB, or undefined when the type is not in the table. */
export function instanceMemoryGiB(instanceType: string): number | undefined {
  const parts = split(instanceType);
  if (!parts) return undefined;
  const [name, size] = parts;
  if (BURSTABLE_FAMILIES.has(name)) return own(BURSTABLE, size);
  const f = family(name);
  const vcpus = f && familyVcpus(f, size);
  return vcpus === undefined ? undefined : vcpus * f!.gibPerVcpu;
}

/** vCPUs of an instance type (the monitoring worker's CPU proxy divides by it), or undefined when unknown. */
export function instanceVcpus(instanceType: string): number | undefined {
  const parts = split(instanceType);
  if (!parts) return undefined;
  const [name, size] = parts;
  if (BURSTABLE_FAMILIES.has(name)) return own(BURSTABLE_VCPUS, size);
  const f = family(name);
  return f && familyVcpus(f, size);
}

/**
 * CPU architecture of an instance type: Graviton families carry a "g" right after the generation digit (t4g, m6g,
 * m6gd, r7g, c7gn, x2gd, im4gn); everything else is x86-64.
 */
export function instanceArch(instanceType: string): "amd64" | "arm64" {
  return /^[a-z]+\d+g/.test(instanceType) ? "arm64" : "amd64";
}
