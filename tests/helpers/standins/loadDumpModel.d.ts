/** Types of loadDumpModel.js (plain JavaScript, because the stand-in mysqlsh runs it with node directly). */
export type ShellType = "Bool" | "String" | "UInteger" | "Float" | "Array";
export const OPTIONS: Record<string, ShellType | { enum: string[] }>;
/** Throws what MySQL Shell 8.4 throws for these util.loadDump options; returns them by their canonical names. */
export function checkLoadDumpOptions(options: unknown): Record<string, unknown>;
/** null: no progress file; inDump: a file in the dump's own location; path: a file of its own. */
export function progressFileTarget(
  options: Record<string, unknown>,
  serverUuid: string,
): null | { inDump: string } | { path: string };
export function schemasToLoad(dumpMetadata: { schemas?: unknown }, options: Record<string, unknown>): string[];
