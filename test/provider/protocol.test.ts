import assert from "node:assert/strict";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as protocol from "../../provider/process/protocol";

describe("Pulumi's wire protocol values", () => {
  it("are the SDK's", () => {
    assert.equal(protocol.unknownValue, rpc.unknownValue);
    assert.equal(protocol.specialSigKey, rpc.specialSigKey);
    assert.equal(protocol.specialSecretSig, rpc.specialSecretSig);
  });
});
