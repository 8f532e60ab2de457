/** Secrets in recorded values become "[secret]"; values without any are returned as they are, not copied. */
import * as pulumi from "@pulumi/pulumi";
import { SECRET_PLACEHOLDER } from "./stackFile";

function isSecretEnvelope(obj: Record<string, unknown>): boolean {
  return obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** Plain data: arrays, and objects of no class, all the way down. Anything else is copied as before. */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/** True when copying would change nothing: no secret envelope and only plain data inside. */
function alreadyRedacted(value: unknown): boolean {
  if (!value || typeof value !== "object") return true;
  if (!isPlain(value)) return false;
  if (Array.isArray(value)) return value.every(alreadyRedacted);
  const obj = value as Record<string, unknown>;
  return !isSecretEnvelope(obj) && Object.values(obj).every(alreadyRedacted);
}

function copyRedacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyRedacted);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (isSecretEnvelope(obj)) return SECRET_PLACEHOLDER;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, copyRedacted(v)]));
  }
  return value;
}

/** Replaces Pulumi secret envelopes by the placeholder, recursively. */
export function redactSecrets(value: unknown): unknown {
  return alreadyRedacted(value) ? value : copyRedacted(value);
}
