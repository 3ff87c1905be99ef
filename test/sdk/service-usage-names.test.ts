import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

/** The ServiceUsage records the program registered, in order: each one's name and endpoint. */
const registered: { name: string; endpoint?: string }[] = [];

/** Resolves once the output's resource is registered (the mocks answer registrations asynchronously). */
const registration = (output: pulumi.Output<unknown>) => new Promise((resolve) => output.apply(resolve));

describe("getServiceUsageOutput's record names (Pulumi's unit-test mocks)", () => {
  let sdk: typeof import("../../sdk/nodejs");

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          if (args.type.endsWith(":ServiceUsage")) {
            registered.push({ name: args.name, endpoint: args.inputs.connection?.endpoint });
          }
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

  it("names a record from its settings that are not secret, and shares it between equal calls", async () => {
    const first = sdk.getServiceUsageOutput({ endpoint: "https://a.example", accessToken: "token-a" });
    const again = sdk.getServiceUsageOutput({ endpoint: "https://a.example", accessToken: "token-a" });
    assert.equal(again, first);
    await registration(first);
    await registration(sdk.getServiceUsageOutput({ endpoint: "https://b.example" }));
    const names = registered.map((record) => record.name);
    assert.equal(names.length, 2);
    for (const name of names) assert.match(name, /^koodrive-service-usage-[0-9a-f]{8}$/);
    assert.notEqual(names[0], names[1]);
    assert.ok(!names.some((name) => name.includes("token")));
  });

  it("refuses two calls that differ only in credentials, unless they are given names", async () => {
    assert.throws(
      () => sdk.getServiceUsageOutput({ endpoint: "https://a.example", accessToken: "token-b" }),
      /two calls would record their figures as "koodrive-service-usage-[0-9a-f]{8}".*give each call a distinct name/,
    );
    const named = { name: "tenant-b-usage" };
    await registration(sdk.getServiceUsageOutput({ endpoint: "https://a.example", accessToken: "token-b" }, named));
    assert.equal(registered.at(-1)?.name, "tenant-b-usage");
  });

  it("names each record from its own settings whatever the order of the calls, so a reorder renames none", async () => {
    const endpoints = ["https://c.example", "https://d.example"];
    /** The record name of each endpoint when a program that has made no record yet calls them in `order`. */
    const namesWhenCalled = async (order: string[]) => {
      const modulePath = require.resolve("../../sdk/nodejs/service-usage");
      delete require.cache[modulePath]; // a fresh module: a program's first calls
      const fresh = require(modulePath) as typeof import("../../sdk/nodejs/service-usage");
      for (const endpoint of order) await registration(fresh.getServiceUsageOutput({ endpoint }));
      return endpoints.map(
        (endpoint) => [...registered].reverse().find((record) => record.endpoint === endpoint)?.name,
      );
    };
    const inOrder = await namesWhenCalled(endpoints);
    for (const name of inOrder) assert.match(String(name), /^koodrive-service-usage-[0-9a-f]{8}$/);
    assert.notEqual(inOrder[0], inOrder[1]);
    assert.deepEqual(await namesWhenCalled([...endpoints].reverse()), inOrder);
  });
});
