/** Markdown pieces of the comment: inline code, table cells, counts and capped lists. */

/** A share as a percentage with two decimals. */
export const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
/** Inline code; backticks inside become quotes. */
export const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
/** Text safe in a table cell: pipes escaped, newlines as spaces. */
export const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
/** "1 node", "2 nodes". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** At most `max` rendered items, then "… and N more"; keeps the comment under GitHub's size limit. */
export function capped<T>(items: readonly T[], max: number, render: (item: T) => string): string[] {
  const shown = items.slice(0, max).map(render);
  if (items.length > max) shown.push(`… and ${items.length - max} more`);
  return shown;
}
