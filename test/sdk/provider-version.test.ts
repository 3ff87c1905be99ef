import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { REPO_ROOT } from "../../harness/engine";

/** The inputs of each resource the program registered, by type. */
const registered: { type: string; inputs: Record<string, unknown> }[] = [];

/** Resolves once the output's resource is registered (the mocks answer registrations asynchronously). */
const registration = (output: pulumi.Output<unknown>) => new Promise((resolve) => output.apply(resolve));

describe("the version a stack's state records (Pulumi's unit-test mocks)", () => {
  let sdk: typeof import("../../sdk/nodejs");

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, inputs: args.inputs });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    sdk = await import("../../sdk/nodejs");
  });

  it("is package.json's version, on every ServiceUsage record and CapacityGuard", async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    await registration(sdk.getServiceUsageOutput({ endpoint: "https://version.example" }));
    await registration(
      new sdk.CapacityGuard("versioned", { endpoint: "https://version.example", plannedUsers: 1 }).urn,
    );
    const types = registered.map((resource) => resource.type.split(":").pop());
    assert.deepEqual(types, ["ServiceUsage", "CapacityGuard"]);
    for (const resource of registered) assert.equal(resource.inputs.providerVersion, version, resource.type);
  });
});
