/**
 * Field types the config sections share: strict objects whose unknown-key error lists the allowed keys, names,
 * addresses, images, schedules. Shapes only; the sections are in schema.ts and gameSchema.ts.
 */
import { Validator } from "ip-num";
import { z } from "zod";

/**
 * The systemd OnCalendar forms a backup schedule uses: a shorthand ("daily"), or an optional weekday list, a
 * date (Y-M-D, with * , .. and /) and a time (h:m or h:m:s), optionally "UTC". systemd-analyze calendar is the
 * full grammar; this rejects what is clearly not a calendar expression.
 */
export const ON_CALENDAR =
  /^(minutely|hourly|daily|weekly|monthly|quarterly|semiannually|yearly|annually|((Mon|Tue|Wed|Thu|Fri|Sat|Sun)([.,][.,]?(Mon|Tue|Wed|Thu|Fri|Sat|Sun))* )?[\d*/,.]+-[\d*/,.]+-[\d*/,.~]+ [\d*/,.]+:[\d*/,.]+(:[\d*/,.]+)?( UTC)?)$/;

/** Shard ids: names, server ids (id * 1000 + node + 1) and backup prefixes derive from them. */
export const MAX_SHARD_ID = 999_999;

/** A strict object whose unknown-key error lists the keys it allows (a typo such as `node: 3` names `nodes`). */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `unknown key; allowed keys here: ${allowed}` : undefined),
  });
}

export const dnsName = z.string().regex(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, {
  error: "must be DNS-safe: 1-32 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'",
});
export const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
  error: "must be an EC2 instance type such as r6i.2xlarge",
});
export const availabilityZone = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, {
  error: "must be an availability zone name such as eu-west-1a",
});
export const cidr = z
  .string()
  .refine((c) => Validator.isValidIPv4CidrNotation(c)[0] || Validator.isValidIPv6CidrNotation(c)[0], {
    error: "must be a CIDR block such as 10.0.0.0/16 or 2001:db8::/32",
  });
export const hostAddress = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/, {
    error: "must be an IPv4 address or a DNS name such as db1.example.internal",
  });
export const unixUser = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be a Unix user name" });
/** Five cron fields (minute hour day-of-month month day-of-week), each *, numbers, ranges, lists or steps. */
export const CRON = /^(\*|[0-9A-Za-z,\-*/]+)( (\*|[0-9A-Za-z,\-*/]+)){4}$/;
export const image = z.string().regex(/^[a-z0-9]+([._/:-][a-z0-9]+)*(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/, {
  error: "must be a container image reference such as registry.example.com/mysql/community-router:8.4.3",
});
export const slotRange = z.string().regex(/^\d+(-\d+)?$/, {
  error: 'must be a slot ("42") or an inclusive slot range ("0-8191")',
});
