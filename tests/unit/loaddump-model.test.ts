/**
 * The stand-in mysqlsh's model of util.loadDump's options (tests/helpers/standins/loadDumpModel.js) refuses what
 * MySQL Shell 8.4 refuses, with Shell's messages, so a test run against it can fail: unknown names, values of a
 * type that does not convert, enum values outside the map; and it puts the progress file where Shell puts it.
 */
import { checkLoadDumpOptions, progressFileTarget, schemasToLoad } from "../helpers/standins/loadDumpModel";

describe("util.loadDump options (mysql-shell 8.4.3/8.4.8 load_dump_options.cc, types_cpp.h, types.cc)", () => {
  it("accepts the options the restore and the verification pass", () => {
    const verify = {
      s3BucketName: "b",
      s3Region: "eu-west-1",
      s3EndpointOverride: "http://127.0.0.1:9000",
      threads: 4,
      loadUsers: false,
      skipBinlog: true,
      progressFile: "",
      showProgress: false,
    };
    expect(checkLoadDumpOptions(verify)).toEqual(verify);
    expect(checkLoadDumpOptions({ threads: 8, progressFile: "", updateGtidSet: "replace" })).toEqual({
      threads: 8,
      progressFile: "",
      updateGtidSet: "replace",
    });
  });

  it("refuses unknown names, all of them at once and sorted (Option_unpacker::validate)", () => {
    expect(() => checkLoadDumpOptions({ threads: 1, s3Prefix: "x", bucket: "b" })).toThrow(
      "Invalid options: bucket, s3Prefix",
    );
  });

  it("matches names case-insensitively (Option_extract_mode::CASE_INSENSITIVE)", () => {
    expect(checkLoadDumpOptions({ PROGRESSFILE: "" })).toEqual({ progressFile: "" });
  });

  it("refuses a value whose type does not convert (kTypeConvertible)", () => {
    expect(() => checkLoadDumpOptions({ threads: [1] })).toThrow(
      "Option 'threads' is expected to be of type UInteger, but is Array",
    );
    expect(() => checkLoadDumpOptions({ excludeSchemas: "mysql_innodb_cluster_metadata" })).toThrow(
      "Option 'excludeSchemas' is expected to be of type Array, but is String",
    );
    expect(() => checkLoadDumpOptions({ progressFile: 0 })).toThrow(
      "Option 'progressFile' is expected to be of type String, but is Integer",
    );
  });

  it("refuses an enum value outside the map, listing the allowed ones (get_enum_value)", () => {
    expect(() => checkLoadDumpOptions({ updateGtidSet: "overwrite" })).toThrow(
      "Invalid value 'overwrite' for updateGtidSet option, allowed values: 'append', 'off' and 'replace'",
    );
    expect(checkLoadDumpOptions({ updateGtidSet: "REPLACE" })).toEqual({ updateGtidSet: "REPLACE" });
  });
});

describe("the progress file (load_dump_options.cc create_progress_file_handle, dump_loader.cc setup_progress_file)", () => {
  it('goes into the dump\'s own location without progressFile, nowhere with "", to its own path otherwise', () => {
    expect(progressFileTarget({}, "u1")).toEqual({ inDump: "load-progress.u1.json" });
    expect(progressFileTarget({ resetProgress: true }, "u1")).toEqual({ inDump: "load-progress.u1.json" });
    expect(progressFileTarget({ progressFile: "" }, "u1")).toBeNull();
    expect(progressFileTarget({ progressFile: "/tmp/p.json" }, "u1")).toEqual({ path: "/tmp/p.json" });
  });
});

describe("the schemas a load brings (dump_reader.cc reads @.json schemas)", () => {
  const dumped = { schemas: ["gamedb", "mysql_innodb_cluster_metadata"] };

  it("everything the dump lists, the AdminAPI metadata included, unless a filter leaves it out", () => {
    expect(schemasToLoad(dumped, {})).toEqual(["gamedb", "mysql_innodb_cluster_metadata"]);
    expect(schemasToLoad(dumped, { excludeSchemas: ["mysql_innodb_cluster_metadata"] })).toEqual(["gamedb"]);
    expect(schemasToLoad(dumped, { includeSchemas: ["mysql_innodb_cluster_metadata"] })).toEqual([
      "mysql_innodb_cluster_metadata",
    ]);
    expect(() => schemasToLoad({}, {})).toThrow("stand-in: the dump's @.json has no schemas list");
  });
});
