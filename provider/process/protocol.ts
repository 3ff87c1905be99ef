/**
 * Values of Pulumi's wire protocol, as `@pulumi/pulumi/runtime/rpc` exports them. Kept here so the
 * provider plugin starts without loading the Pulumi SDK's runtime (about a second);
 * test/provider/protocol.test.ts checks them against the SDK.
 */

/** What the engine sends for a value it does not know yet (preview). */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The key that marks a special object (a secret, an asset, a resource reference). */
export const specialSigKey = "4dabf18193072939515e22adb298388d";
/** The `specialSigKey` value of a secret. */
export const specialSecretSig = "1b47061264138c4ac30d75fd1eb44270";

/** A resource's inputs, outputs or state as the engine hands them over: plain values by property. */
export type Values = Record<string, unknown>;

/** The inputs as a stable text, `__provider` aside: what `diff` compares. */
export function stableText(inputs: Values, keys?: readonly string[]): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(inputs)
        .filter(([key]) => key !== "__provider" && (keys === undefined || keys.includes(key)))
        .sort(),
    ),
  );
}
