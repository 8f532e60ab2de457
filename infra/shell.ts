/** Shell text helpers shared by everything that writes command lines for a host. Pure. */

/** A single shell word for any string: single quotes, with each ' written as '\''. */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a shell word cannot hold a NUL character");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
