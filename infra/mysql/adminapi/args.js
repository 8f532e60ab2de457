// @ts-check
// gamedb AdminAPI helpers for the arguments every script reads: the params and secrets files (sys.argv[1], sys.argv[2])
// and the checks of each value, which fail naming the field and what it must be. Follows common.js in every script
// (infra/mysql/adminapi/index.ts).

/** @param {string} path @param {string} what @param {boolean} mayQuote @returns {unknown} */
function readJsonFile(path, what, mayQuote) {
  var text;
  try {
    text = os.loadTextFile(path);
  } catch (e) {
    fail("cannot read the " + what + " file " + path + ": " + errText(e) + ". The remote command writes it; rerun it.");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // The parser's message may quote the text: never for the secrets file.
    fail("the " + what + " file " + path + " is not valid JSON" + (mayQuote ? ": " + errText(e) : "") + ".");
  }
}

// { params, secrets } from sys.argv[1] (params JSON) and sys.argv[2] (secrets JSON, optional).
/** @returns {{ params: JsonObject, secrets: JsonObject }} */
function loadArgs() {
  if (!sys.argv || sys.argv.length < 2)
    fail("usage: mysqlsh --js --no-wizard -f SCRIPT PARAMS_JSON [SECRETS_JSON]; the params file is missing.");
  var params = readJsonFile(sys.argv[1], "params", true);
  var secrets = sys.argv.length > 2 ? readJsonFile(sys.argv[2], "secrets", false) : {};
  if (!isJsonObject(params)) fail("the params file must hold a JSON object.");
  if (!isJsonObject(secrets)) fail("the secrets file must hold a JSON object.");
  if (params.waitSeconds !== undefined) {
    var w = params.waitSeconds;
    if (typeof w !== "number" || w !== Math.floor(w) || w < 1)
      fail("params.waitSeconds must be a whole number of seconds, at least 1 (or left out for 600).");
    GAMEDB_WAIT_LIMIT = w;
  }
  return { params: params, secrets: secrets };
}

/** @param {unknown} v @returns {v is JsonObject} */
function isJsonObject(v) {
  return !!v && typeof v === "object";
}

// obj[key] when it is an object { name: value }, {} when it is left out.
/** @param {JsonObject} obj @param {string} key @returns {JsonObject} */
function optionalObject(obj, key) {
  var v = obj[key];
  if (v === undefined || v === null) return {};
  if (!isJsonObject(v) || Array.isArray(v)) fail("params." + key + " must be an object { name: value }.");
  return v;
}

// params.recoveryMethod: mysqlsh cannot prompt here, and "auto" without a prompt is refused (MYSQLSH 51167), so the
// method must be explicit.
/** @param {JsonObject} obj @returns {"clone" | "incremental"} */
function needRecoveryMethod(obj) {
  var v = needString(obj, "recoveryMethod");
  if (v !== "clone" && v !== "incremental")
    fail("params.recoveryMethod must be 'clone' or 'incremental', not '" + v + "'.");
  return v;
}

/** @param {JsonObject} obj @param {string} key @returns {boolean} */
function needBoolean(obj, key) {
  var v = obj[key];
  if (typeof v !== "boolean") fail("params." + key + " must be true or false.");
  return v;
}

/** @param {JsonObject} obj @param {string} key @param {string} [what] @returns {string} */
function needString(obj, key, what) {
  var v = obj[key];
  if (typeof v !== "string" || v === "") fail((what || "params") + "." + key + " must be a non-empty string.");
  return v;
}

/** @param {JsonObject} secrets @param {string} key @returns {string} */
function needSecret(secrets, key) {
  var v = secrets[key];
  if (typeof v !== "string" || v === "")
    fail("secrets." + key + " is missing or empty; the remote command passes it on stdin. Rerun the step.");
  return v;
}

/** @param {JsonObject} obj @param {string} key @returns {string} */
function needAddress(obj, key) {
  var v = needString(obj, key);
  splitAddress(v, "params." + key);
  return v;
}

/** @param {JsonObject} obj @param {string} key @returns {string[]} */
function needAddressList(obj, key) {
  var v = obj[key];
  if (!Array.isArray(v) || v.length === 0) fail("params." + key + " must be a non-empty list of host:port addresses.");
  /** @type {{ [address: string]: boolean }} */
  var seen = {};
  for (var i = 0; i < v.length; i++) {
    if (typeof v[i] !== "string") fail("params." + key + "[" + i + "] must be a host:port string.");
    splitAddress(v[i], "params." + key + "[" + i + "]");
    if (seen[v[i]]) fail("params." + key + " lists " + v[i] + " twice.");
    seen[v[i]] = true;
  }
  return v.slice();
}

var NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** @param {unknown} value @param {string} what @returns {string} */
function needIdentifier(value, what) {
  if (typeof value !== "string" || !NAME_RE.test(value))
    fail(what + " '" + value + "' is not a plain identifier (letters, digits, '_').");
  return value;
}

/** @param {unknown} value @returns {string} */
function needAccountHost(value) {
  if (typeof value !== "string" || !/^[A-Za-z0-9.%_:-]+$/.test(value))
    fail("params.accountHost '" + value + "' is not a valid account host (letters, digits, '.', '%', '_', ':', '-').");
  return value;
}

/** @param {string} address @param {string} [what] @returns {{ host: string, port: number }} */
function splitAddress(address, what) {
  var m = /^([A-Za-z0-9._-]+):([0-9]+)$/.exec(String(address));
  if (!m) fail((what || "address") + " '" + address + "' is not of the form host:port.");
  return { host: m[1], port: parseInt(m[2], 10) };
}
