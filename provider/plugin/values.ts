/**
 * Values as the engine sends them over gRPC: secrets wrapped in a signature object, unknown values
 * (during preview) as a sentinel string. The plugin works on plain values and marks secrets again
 * where it hands values back.
 */
import { specialSecretSig, specialSigKey, unknownValue } from "../process/protocol";

/** The value without secret wrappers, recursively; unknowns stay the sentinel. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (object[specialSigKey] === specialSecretSig) return plain(object.value);
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
}

/** `value` marked secret, as the engine expects it in a response. */
export function secret(value: unknown): Record<string, unknown> {
  return { [specialSigKey]: specialSecretSig, value };
}

/** True when the engine does not know `value` yet (preview). */
export function isUnknown(value: unknown): boolean {
  return value === unknownValue;
}

/** A copy without `undefined` members, which a protobuf Struct cannot hold. */
export function withoutUndefined<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
