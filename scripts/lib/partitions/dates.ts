/**
 * Calendar days for daily partitions, as whole days since 1970-01-01 (UTC), and MySQL's TO_DAYS of them. Pure.
 *
 * TO_DAYS counts days from year 0 of the proleptic Gregorian calendar, so TO_DAYS('1970-01-01') = 719528 (MySQL 8.4
 * manual 14.7 "Date and Time Functions", TO_DAYS; MariaDB 10.11 answers the same on the stand-ins). Partition bounds
 * are read back from information_schema.PARTITIONS.PARTITION_DESCRIPTION, which holds the evaluated integer.
 */

/** A calendar day: days since 1970-01-01 UTC. */
export type Day = number;

const MS_PER_DAY = 86_400_000;
export const TO_DAYS_1970 = 719_528;

/** Daily partitions are named `p<YYYYMMDD>`. */
const PARTITION_NAME = /^p(\d{4})(\d{2})(\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function fromParts(y: number, m: number, d: number): Day | undefined {
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a real date comes back unchanged. Years 0-99 map to 1900+ in Date.UTC,
  // hence the lower bound.
  if (y < 1000 || back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
    return undefined;
  }
  return ms / MS_PER_DAY;
}

/** `YYYY-MM-DD` → Day; throws naming `field` when it is not a real calendar date. */
export function parseDay(text: string, field = "date"): Day {
  const m = ISO_DATE.exec(text);
  const day = m ? fromParts(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  if (day === undefined) throw new Error(`${field}: "${text}" is not a date (YYYY-MM-DD)`);
  return day;
}

/** The UTC calendar day of an instant, or of a `YYYY-MM-DD` text. */
export function dayOf(today: Date | string, field = "today"): Day {
  if (typeof today === "string") return parseDay(today, field);
  if (Number.isNaN(today.getTime())) throw new Error(`${field}: an invalid Date`);
  return Math.floor(today.getTime() / MS_PER_DAY);
}

/** Day → `YYYY-MM-DD`. */
export function formatDay(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** MySQL's TO_DAYS of the day (its midnight). */
export function toDays(day: Day): number {
  return day + TO_DAYS_1970;
}

/** The daily partition holding `day`: `p<YYYYMMDD>`. */
export function partitionName(day: Day): string {
  return `p${formatDay(day).replace(/-/g, "")}`;
}

/** The day a `p<YYYYMMDD>` name stands for, or undefined when the name is not one (or not a real date). */
export function dayOfPartitionName(name: string): Day | undefined {
  const m = PARTITION_NAME.exec(name);
  return m ? fromParts(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}
