/**
 * A model of how MySQL Shell 8.4 takes util.loadDump's options, for the stand-in mysqlsh (there is no MySQL Shell
 * here). Read at mysql-shell tags 8.4.3 and 8.4.8 (the option set is the same in both):
 *
 *   modules/util/load/load_dump_options.cc   Load_dump_options::options(): the option names and their C++ types;
 *                                            the filters, OCI, S3 and Azure packs it includes
 *   mysqlshdk/libs/db/filtering_options.cc   include/exclude Schemas, Tables, Events, Routines, Triggers, Users
 *                                            (std::unordered_set<std::string>: an Array)
 *   mysqlshdk/libs/aws/s3_bucket_options.cc, oci/oci_bucket_options.cc, azure/blob_storage_options.cc
 *   mysqlshdk/include/scripting/types_cpp.h  Option_pack_def: names match case-insensitively; an enum value not in
 *                                            the map: "Invalid value '<v>' for <option> option, allowed values: ..."
 *   mysqlshdk/scripting/types.cc             Option_unpacker: a value whose type does not convert
 *                                            (kTypeConvertible): "Option '<n>' is expected to be of type <T>, but is
 *                                            <U>"; names left over: "Invalid options: a, b"
 *   modules/util/load/load_dump_options.cc   create_progress_file_handle(): no progressFile (or "") means
 *                                            load-progress.<server_uuid>.json in the dump's own location; validate()
 *                                            sets that default only when the option is absent
 *   modules/util/load/dump_loader.cc         setup_progress_file(): a progressFile of "" writes nothing; otherwise the
 *                                            file is opened for WRITE (load_progress_log.h init), on S3 a PUT into the
 *                                            dump's prefix
 */
"use strict";

const BOOL = "Bool";
const STRING = "String";
const UINT = "UInteger";
const FLOAT = "Float";
const ARRAY = "Array";

/** Option name -> upstream type (an enum is a String with its allowed values). */
const OPTIONS = {
  threads: UINT,
  backgroundThreads: UINT,
  showProgress: BOOL,
  waitDumpTimeout: FLOAT,
  loadData: BOOL,
  loadDdl: BOOL,
  loadUsers: BOOL,
  dryRun: BOOL,
  resetProgress: BOOL,
  progressFile: STRING,
  excludeEvents: ARRAY,
  includeEvents: ARRAY,
  excludeRoutines: ARRAY,
  includeRoutines: ARRAY,
  excludeSchemas: ARRAY,
  includeSchemas: ARRAY,
  excludeTables: ARRAY,
  includeTables: ARRAY,
  excludeTriggers: ARRAY,
  includeTriggers: ARRAY,
  characterSet: STRING,
  skipBinlog: BOOL,
  ignoreExistingObjects: BOOL,
  ignoreVersion: BOOL,
  analyzeTables: { enum: ["histogram", "off", "on"] },
  deferTableIndexes: { enum: ["all", "fulltext", "off"] },
  loadIndexes: BOOL,
  schema: STRING,
  excludeUsers: ARRAY,
  includeUsers: ARRAY,
  updateGtidSet: { enum: ["append", "off", "replace"] },
  showMetadata: BOOL,
  createInvisiblePKs: BOOL,
  maxBytesPerTransaction: STRING,
  sessionInitSql: ARRAY,
  handleGrantErrors: STRING,
  checksum: BOOL,
  disableBulkLoad: BOOL,
  osBucketName: STRING,
  osNamespace: STRING,
  ociConfigFile: STRING,
  ociProfile: STRING,
  s3BucketName: STRING,
  s3CredentialsFile: STRING,
  s3ConfigFile: STRING,
  s3Profile: STRING,
  s3Region: STRING,
  s3EndpointOverride: STRING,
  azureContainerName: STRING,
  azureConfigFile: STRING,
  azureStorageAccount: STRING,
  azureStorageSasToken: STRING,
};

/** types.cc kTypeConvertible, the rows a JavaScript value can have: from -> the types it converts to. */
const CONVERTS = {
  Bool: [BOOL, "Integer", UINT, FLOAT],
  String: [BOOL, STRING, "Integer", UINT, FLOAT],
  Integer: [BOOL, "Integer", UINT, FLOAT],
  Float: [BOOL, "Integer", UINT, FLOAT],
  Array: [ARRAY],
  Map: ["Map"],
  Null: ["Object", ARRAY, "Map"],
};

function typeOf(value) {
  if (value === null) return "Null";
  if (Array.isArray(value)) return ARRAY;
  if (typeof value === "boolean") return BOOL;
  if (typeof value === "string") return STRING;
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  return "Map";
}

/** Throws what Shell throws for these options; returns them keyed by their canonical names. */
function checkLoadDumpOptions(options) {
  if (options === undefined) return {};
  if (typeOf(options) !== "Map") throw new Error("stand-in: the options are not a map");
  const canonical = {};
  const unknown = [];
  for (const [given, value] of Object.entries(options)) {
    const name = Object.keys(OPTIONS).find((n) => n.toLowerCase() === given.toLowerCase());
    if (!name) {
      unknown.push(given);
      continue;
    }
    const spec = OPTIONS[name];
    const want = typeof spec === "string" ? spec : STRING;
    const got = typeOf(value);
    if (!(CONVERTS[got] || []).includes(want))
      throw new Error(`Option '${given}' is expected to be of type ${want}, but is ${got}`);
    if (typeof spec === "object" && !spec.enum.includes(String(value).toLowerCase())) {
      const quoted = spec.enum.map((v) => `'${v}'`);
      const allowed = `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
      throw new Error(`Invalid value '${value}' for ${name} option, allowed values: ${allowed}`);
    }
    canonical[name] = value;
  }
  if (unknown.length > 0) throw new Error(`Invalid options: ${unknown.sort().join(", ")}`);
  return canonical;
}

/**
 * Where the load writes its progress: null (progressFile ""), or {inDump: name} for a file in the dump's location
 * (no progressFile), or {path} (a progressFile of its own).
 */
function progressFileTarget(options, serverUuid) {
  if (options.progressFile === undefined) return { inDump: `load-progress.${serverUuid}.json` };
  if (options.progressFile === "") return null;
  return { path: options.progressFile };
}

/** The schemas a dump's @.json lists, less what the schema filters leave out (dump_reader.cc reads "schemas"). */
function schemasToLoad(dumpMetadata, options) {
  if (!Array.isArray(dumpMetadata.schemas)) throw new Error("stand-in: the dump's @.json has no schemas list");
  return dumpMetadata.schemas.filter(
    (s) =>
      !(options.excludeSchemas || []).includes(s) &&
      (options.includeSchemas === undefined || options.includeSchemas.includes(s)),
  );
}

module.exports = { OPTIONS, checkLoadDumpOptions, progressFileTarget, schemasToLoad };
