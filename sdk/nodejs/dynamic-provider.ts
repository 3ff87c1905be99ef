import type * as pulumi from "@pulumi/pulumi";

/**
 * The dynamic provider of the KooDrive resources, `ServiceUsage`, `CapacityGuard`, `User` and `Space`. It is
 * serialized into the stack state and runs in Pulumi's provider process, so it captures nothing:
 * each method loads the package's runtime there by package name, which serves the resource by its
 * `kind` input, and no secret, client or zod schema lands in the state. One object for every kind
 * means a program serializes it once (`@pulumi/pulumi` caches a provider's serialization by object),
 * and arrow functions serialize for about a third less CPU than methods (BENCHMARKS.md).
 */
export const koodriveProvider: pulumi.dynamic.ResourceProvider = {
  configure: async (req) => {
    require("pulumi-koodrive/provider-runtime").configure(req.config);
  },
  check: async (olds, news) => require("pulumi-koodrive/provider-runtime").check(olds, news),
  diff: async (id, olds, news) => require("pulumi-koodrive/provider-runtime").diff(id, olds, news),
  create: async (inputs) => require("pulumi-koodrive/provider-runtime").create(inputs),
  read: async (id, props) => require("pulumi-koodrive/provider-runtime").read(id, props),
  update: async (id, olds, news) => require("pulumi-koodrive/provider-runtime").update(id, olds, news),
  delete: async (id, props) => require("pulumi-koodrive/provider-runtime").remove(id, props),
};
