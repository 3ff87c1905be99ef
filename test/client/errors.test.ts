import assert from "node:assert/strict";
import { RunError } from "@pulumi/pulumi";
import {
  CancelledError,
  GuardRefusal,
  InternalError,
  isKooDriveError,
  KooDriveError,
  NetworkError,
  PolicyConfigError,
  ProgramError,
  TenantLockTimeout,
} from "../../provider/client/errors";

describe("the error model's classes", () => {
  it("are KooDriveErrors named after their class, saying summary: detail, or the summary alone", () => {
    const timeout = new TenantLockTimeout("gave up waiting for the KooDrive tenant t after 5 s", "run again");
    assert.ok(timeout instanceof KooDriveError && isKooDriveError(timeout));
    assert.equal(timeout.name, "TenantLockTimeout");
    assert.equal(timeout.code, "ERR_KOODRIVE_LOCK_TIMEOUT");
    assert.equal(timeout.message, "gave up waiting for the KooDrive tenant t after 5 s: run again");
    const closed = new NetworkError("the client closed the connection before the body ended");
    assert.equal(closed.message, "the client closed the connection before the body ended");
    assert.equal(closed.detail, "");
    assert.equal(
      new CancelledError().message,
      "the run was cancelled (Ctrl-C or a cancelled job), so KooDrive was not read",
    );
    assert.match(new InternalError("x broke").message, /^x broke: this is a bug in pulumi-koodrive; please report it/);
  });

  it("GuardRefusal keeps each argument and reason, and says them all in its message", () => {
    const failures = [
      { property: "plannedUsers", reason: "seats: plan needs 6 new users, 5 left; exceeds by 1" },
      { property: "minFreeGB", reason: "allocatable quota (all pools): keeping 10 GB free, 2 GB left" },
    ];
    const refusal = new GuardRefusal(failures);
    assert.equal(refusal.code, "ERR_KOODRIVE_GUARD_REFUSED");
    assert.deepEqual(refusal.failures, failures);
    assert.equal(
      refusal.message,
      "the plan exceeds capacity: seats: plan needs 6 new users, 5 left; exceeds by 1; allocatable quota (all pools): keeping 10 GB free, 2 GB left",
    );
  });

  it("ProgramError is printed as Pulumi prints its RunError: Pulumi's runtime knows it as one", () => {
    const error = new ProgramError('getServiceUsage: two calls would record their figures as "x"', "name them");
    assert.ok(RunError.isInstance(error));
    assert.equal(error.code, "ERR_KOODRIVE_PROGRAM");
  });

  it("PolicyConfigError's stack is its message alone: the fault is in the config file", () => {
    const error = new PolicyConfigError("koodrive-org-minimums", "minFreeSeat: unknown key");
    assert.equal(
      error.stack,
      "PolicyConfigError: policy config of koodrive-org-minimums: minFreeSeat: unknown key; fix it in the file given to --policy-pack-config",
    );
  });

  it("isKooDriveError knows an error of another copy of the package by its code, and nothing else", () => {
    assert.ok(isKooDriveError(Object.assign(new Error("x"), { code: "ERR_KOODRIVE_NETWORK" })));
    assert.ok(!isKooDriveError(Object.assign(new Error("x"), { code: "ECONNRESET" })));
    assert.ok(!isKooDriveError({ code: "ERR_KOODRIVE_NETWORK", message: "not an Error" }));
  });
});
