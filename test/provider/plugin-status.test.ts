import assert from "node:assert/strict";
import * as errorsProto from "@pulumi/pulumi/proto/errors_pb";
import * as statusProto from "@pulumi/pulumi/proto/status_pb";
import { GuardRefusal, NetworkError } from "../../provider/client/errors";
import { statusOf } from "../../provider/plugin/server";

const INVALID_ARGUMENT = 3;
const UNKNOWN = 2;

describe("the provider plugin's gRPC status for a failed call", () => {
  it("sends a guard's refusal as Pulumi's InputPropertiesError: each argument and reason in the details", () => {
    const refusal = new GuardRefusal([
      { property: "plannedUsers", reason: "seats: plan needs 3 new users, 1 left; exceeds by 2" },
      { property: "minFreeGB", reason: "allocatable quota (all pools): keeping 10 GB free, 2 GB left" },
    ]);
    const status = statusOf(refusal);
    assert.equal(status.code, INVALID_ARGUMENT);
    assert.equal(
      status.details,
      [
        "the plan exceeds capacity",
        "\t\t- property plannedUsers has a problem: seats: plan needs 3 new users, 1 left; exceeds by 2",
        "\t\t- property minFreeGB has a problem: allocatable quota (all pools): keeping 10 GB free, 2 GB left",
      ].join("\n"),
    );
    const [bin] = status.metadata.get("grpc-status-details-bin");
    assert.ok(Buffer.isBuffer(bin), "the status details travel in grpc-status-details-bin");
    const sent = statusProto.Status.deserializeBinary(new Uint8Array(bin));
    assert.equal(sent.getCode(), INVALID_ARGUMENT);
    assert.equal(sent.getMessage(), status.details, "one message in the status and its details");
    const [packed] = sent.getDetailsList();
    assert.equal(packed?.getTypeName(), "pulumirpc.InputPropertiesError");
    const errors = errorsProto.InputPropertiesError.deserializeBinary(packed?.getValue_asU8() ?? new Uint8Array());
    assert.deepEqual(
      errors.getErrorsList().map((error) => [error.getPropertyPath(), error.getReason()]),
      refusal.failures.map((failure) => [failure.property, failure.reason]),
    );
  });

  it("sends any other failure as UNKNOWN with its message alone, no details", () => {
    const status = statusOf(new NetworkError("cannot reach KooDrive", "127.0.0.1:9 refused the connection"));
    assert.equal(status.code, UNKNOWN);
    assert.equal(status.details, "cannot reach KooDrive: 127.0.0.1:9 refused the connection");
    assert.deepEqual(status.metadata.get("grpc-status-details-bin"), []);
  });
});
