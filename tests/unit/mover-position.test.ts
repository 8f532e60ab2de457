/**
 * scripts/lib/mover/position.ts: the mover's binlog positions. This is exactly where the shards (MySQL 8.4) and the
 * test stand-ins (MariaDB 10.11) differ, so both forms are tested here without a server:
 *
 * - MySQL 8.4: a GTID set, `source_id:transaction_id` with intervals, `uuid:1-5:7,uuid2:1-3`, 8.4 tags as
 *   `uuid:tag:1-2` (MySQL 8.4 Reference Manual 19.1.3.1 "GTID Format and Storage"), parsed by
 *   infra/contracts/gtid.ts. A stream has applied a position when the position's set is included in its own.
 * - MariaDB: the last GTID per replication domain, `domain-server-sequence`, comma-separated (`0-1-1234,1-2-5`),
 *   as @@gtid_binlog_pos reports it; sequence numbers grow within a domain whatever server wrote them (MariaDB KB
 *   "Global Transaction ID"), so a position is reached when each of its domains' sequences is.
 * - zongji 0.9.0 takes either text as its `gtidSet` start option, matching the server flavour (@vlasky/zongji
 *   README, "gtidSet": "a MySQL GTID set ('uuid:1-27' ...) or a MariaDB GTID position ('0-1-1234')"), and spells
 *   each event's gtid the same way (`uuid:n` / `domain-server-seq`): `advance` takes that spelling.
 */
import fc from "fast-check";
import { GtidParseError, formatGtidSet, parseGtidSet } from "../../infra/contracts/gtid";
import {
  Position,
  advance,
  currentPosition,
  formatPosition,
  parsePosition,
  reached,
} from "../../scripts/lib/mover/position";

const U1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const U2 = "8a94f357-aab4-11df-86ab-c80aa9429562";

const mysql = (text: string) => parsePosition("mysql", text);
const maria = (text: string) => parsePosition("mariadb", text);

/** A MySQL set as raw text: uuids, an optional tag, unsorted and overlapping intervals. */
const mysqlText = fc
  .array(
    fc
      .record({
        uuid: fc.constantFrom(U1, U2, U2.toUpperCase()),
        tag: fc.option(fc.constantFrom("mover", "x_1"), { nil: undefined }),
        ranges: fc.array(
          fc.tuple(fc.integer({ min: 1, max: 30 }), fc.nat(4)).map(([a, n]) => (n === 0 ? `${a}` : `${a}-${a + n}`)),
          { minLength: 1, maxLength: 3 },
        ),
      })
      .map(({ uuid, tag, ranges }) => `${uuid}:${tag ? `${tag}:` : ""}${ranges.join(":")}`),
    { maxLength: 3 },
  )
  .map((parts) => parts.join(","));

/** A MariaDB position: distinct domains, each with a server id and a sequence number. */
const mariaDomains = fc.uniqueArray(
  fc.record({
    domain: fc.nat(5),
    server: fc.integer({ min: 1, max: 4_294_967_295 }),
    seq: fc.nat(Number.MAX_SAFE_INTEGER),
  }),
  { selector: (g) => g.domain, maxLength: 4 },
);
const mariaText = (gs: { domain: number; server: number; seq: number }[]) =>
  gs.map((g) => `${g.domain}-${g.server}-${g.seq}`).join(",");

describe("MySQL 8.4 GTID sets", () => {
  it("parse and format through infra/contracts/gtid.ts, normalized", () => {
    const p = mysql(` ${U2.toUpperCase()}:7:1-5:6 ,${U1}:1-3:mover:1-2`);
    expect(p.flavour).toBe("mysql");
    expect(formatPosition(p)).toBe(`${U1}:1-3:mover:1-2,${U2}:1-7`);
    expect(formatPosition(mysql(""))).toBe("");
  });

  it("round-trip: format(parse(t)) is gtid.ts's normal form, and parsing it again gives the same text (property)", () => {
    fc.assert(
      fc.property(mysqlText, (text) => {
        const once = formatPosition(mysql(text));
        expect(once).toBe(formatGtidSet(parseGtidSet(text)));
        expect(formatPosition(mysql(once))).toBe(once);
      }),
    );
  });

  it("advance adds one transaction as zongji spells it (uuid:n), merging adjacent intervals", () => {
    expect(formatPosition(advance(mysql(`${U1}:1-5`), `${U1}:6`))).toBe(`${U1}:1-6`);
    expect(formatPosition(advance(mysql(`${U1}:1-5`), `${U1}:8`))).toBe(`${U1}:1-5:8`);
    expect(formatPosition(advance(mysql(`${U1}:1-5`), `${U2}:1`))).toBe(`${U1}:1-5,${U2}:1`);
    expect(formatPosition(advance(mysql(`${U1}:1-5`), `${U1}:3`))).toBe(`${U1}:1-5`);
    expect(formatPosition(advance(mysql(""), `${U1}:mover:4`))).toBe(`${U1}:mover:4`);
  });

  it("reached is set inclusion: every transaction of the target is in what was applied", () => {
    expect(reached(mysql(`${U1}:1-10`), mysql(`${U1}:1-10`))).toBe(true);
    expect(reached(mysql(`${U1}:1-10,${U2}:1-3`), mysql(`${U1}:4-9`))).toBe(true);
    expect(reached(mysql(`${U1}:1-10`), mysql(`${U1}:1-11`))).toBe(false);
    // A hole counts: 1-5:7-10 has not applied 6, though its highest number is above the target's.
    expect(reached(mysql(`${U1}:1-5:7-10`), mysql(`${U1}:1-6`))).toBe(false);
    expect(reached(mysql(`${U1}:1-10`), mysql(`${U2}:1`))).toBe(false);
    // A tag is its own source: untagged 1-5 does not include mover:1.
    expect(reached(mysql(`${U1}:1-5`), mysql(`${U1}:mover:1`))).toBe(false);
    expect(reached(mysql(""), mysql(""))).toBe(true);
  });

  it("reached after advancing by every GTID of a set (property)", () => {
    fc.assert(
      fc.property(mysqlText, mysqlText, (start, more) => {
        let p = mysql(start);
        const target = mysql(more);
        if (target.flavour !== "mysql") throw new Error("unreachable");
        for (const [source, intervals] of target.set)
          for (const [a, b] of intervals) for (let n = a; n <= b; n++) p = advance(p, `${source}:${n}`);
        expect(reached(p, target)).toBe(true);
        expect(reached(p, mysql(start))).toBe(true);
      }),
    );
  });

  it("refuses bad text with gtid.ts's error naming the part of the uuid:interval form that is wrong", () => {
    expect(() => mysql("0-1-5")).toThrow(GtidParseError);
    expect(() => mysql("0-1-5")).toThrow('bad server uuid "0-1-5" in "0-1-5"');
    expect(() => mysql(`${U1}`)).toThrow(`no transactions after ${U1}`);
    expect(() => mysql(`${U1}:0`)).toThrow("bad transaction number 0");
    expect(() => mysql(`${U1}:5-3`)).toThrow("bad range 5-3");
    expect(() => advance(mysql(`${U1}:1`), "0-1-2")).toThrow(GtidParseError);
  });
});

describe("MariaDB positions (the stand-ins)", () => {
  it("parse and format domain-server-sequence lists, sorted by domain", () => {
    const p = maria(" 1-2-5 , 0-1-1234");
    expect(p).toEqual({
      flavour: "mariadb",
      domains: new Map([
        [1, { server: 2, seq: 5 }],
        [0, { server: 1, seq: 1234 }],
      ]),
    });
    expect(formatPosition(p)).toBe("0-1-1234,1-2-5");
    expect(formatPosition(maria(""))).toBe("");
  });

  it("round-trip: format(parse(t)) lists each domain once, in domain order, and reads back equal (property)", () => {
    fc.assert(
      fc.property(mariaDomains, (gs) => {
        const text = formatPosition(maria(mariaText(gs)));
        expect(text).toBe(mariaText([...gs].sort((a, b) => a.domain - b.domain)));
        expect(maria(text)).toEqual(maria(mariaText(gs)));
      }),
    );
  });

  it("advance keeps the highest sequence per domain, recording the server that wrote it", () => {
    expect(formatPosition(advance(maria("0-1-10"), "0-1-11"))).toBe("0-1-11");
    // After a failover another server writes the domain's next sequence numbers.
    expect(formatPosition(advance(maria("0-1-10"), "0-2-11"))).toBe("0-2-11");
    expect(formatPosition(advance(maria("0-1-10"), "0-1-9"))).toBe("0-1-10");
    expect(formatPosition(advance(maria("0-1-10"), "3-1-1"))).toBe("0-1-10,3-1-1");
    expect(formatPosition(advance(maria(""), "0-1-1"))).toBe("0-1-1");
  });

  it("reached compares each domain's sequence, whatever the server id", () => {
    expect(reached(maria("0-1-10"), maria("0-1-10"))).toBe(true);
    expect(reached(maria("0-1-10"), maria("0-1-9"))).toBe(true);
    expect(reached(maria("0-1-9"), maria("0-1-10"))).toBe(false);
    expect(reached(maria("0-2-10"), maria("0-1-10"))).toBe(true);
    expect(reached(maria("0-1-10"), maria("0-2-10"))).toBe(true);
    expect(reached(maria("0-7-9"), maria("0-1-10"))).toBe(false);
    // A domain the applied position has never seen is not reached; extra applied domains do not matter.
    expect(reached(maria("0-1-10"), maria("0-1-5,1-1-1"))).toBe(false);
    expect(reached(maria("0-1-10,1-1-1"), maria("0-1-5"))).toBe(true);
    expect(reached(maria(""), maria(""))).toBe(true);
    expect(reached(maria(""), maria("0-1-1"))).toBe(false);
  });

  it("reached is per-domain >= of sequences (property against a model)", () => {
    fc.assert(
      fc.property(mariaDomains, mariaDomains, (a, t) => {
        const seqOf = new Map(a.map((g) => [g.domain, g.seq]));
        const model = t.every((g) => seqOf.has(g.domain) && seqOf.get(g.domain)! >= g.seq);
        expect(reached(maria(mariaText(a)), maria(mariaText(t)))).toBe(model);
      }),
    );
  });

  it("advance by each GTID of a position reaches it (property)", () => {
    fc.assert(
      fc.property(mariaDomains, mariaDomains, (start, gs) => {
        let p = maria(mariaText(start));
        for (const g of gs) p = advance(p, `${g.domain}-${g.server}-${g.seq}`);
        expect(reached(p, maria(mariaText(gs)))).toBe(true);
        expect(reached(p, maria(mariaText(start)))).toBe(true);
      }),
    );
  });

  it("refuses bad text naming the MariaDB form (domain-server-sequence) or the repeated domain", () => {
    const form = "is not a MariaDB GTID (domain-server-sequence, e.g. 0-1-1234)";
    expect(() => maria(`${U1}:1-5`)).toThrow(`"${U1}:1-5" ${form}`);
    expect(() => maria("0-1")).toThrow(`"0-1" ${form}`);
    expect(() => maria("0-1-x")).toThrow(form);
    expect(() => maria("-1-1-1")).toThrow(form);
    expect(() => maria("0-1-5,0-2-6")).toThrow('"0-1-5,0-2-6" names domain 0 twice');
    expect(() => advance(maria("0-1-1"), `${U1}:2`)).toThrow(form);
    // MariaDB's sequence is 64-bit; above 2^53 it cannot be held exactly as a number and is refused, not rounded.
    expect(() => maria("0-1-9007199254740993")).toThrow(form);
  });
});

describe("flavours do not mix", () => {
  it("reached refuses to compare a MySQL and a MariaDB position, either way round", () => {
    const why = "positions of a MySQL and a MariaDB server cannot be compared";
    expect(() => reached(mysql(`${U1}:1`), maria("0-1-1"))).toThrow(why);
    expect(() => reached(maria("0-1-1"), mysql(`${U1}:1`))).toThrow(why);
    // Even empty positions: an empty set is not an empty domain list.
    expect(() => reached(mysql(""), maria(""))).toThrow(why);
  });
});

describe("currentPosition", () => {
  function fakeConn(value: unknown) {
    const seen: string[] = [];
    const conn = {
      async query(sql: string) {
        seen.push(sql);
        return [[{ p: value }], []];
      },
    };
    return { conn: conn as never, seen };
  }

  it("reads @@GLOBAL.gtid_executed on MySQL and @@GLOBAL.gtid_binlog_pos on MariaDB", async () => {
    const my = fakeConn(`${U1}:1-5,\n${U2}:1`);
    const p: Position = await currentPosition(my.conn, "mysql");
    expect(my.seen).toEqual(["SELECT @@GLOBAL.gtid_executed AS p"]);
    expect(formatPosition(p)).toBe(`${U1}:1-5,${U2}:1`);
    const ma = fakeConn("0-1-77");
    expect(formatPosition(await currentPosition(ma.conn, "mariadb"))).toBe("0-1-77");
    expect(ma.seen).toEqual(["SELECT @@GLOBAL.gtid_binlog_pos AS p"]);
  });

  it("reads an empty or NULL value as the empty position", async () => {
    expect(formatPosition(await currentPosition(fakeConn("").conn, "mysql"))).toBe("");
    expect(formatPosition(await currentPosition(fakeConn(null).conn, "mariadb"))).toBe("");
  });
});
