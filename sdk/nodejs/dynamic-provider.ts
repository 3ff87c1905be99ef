import type * as pulumi from "@pulumi/pulumi";

/**
 * The dynamic provider of both KooDrive resources, `ServiceUsage` and `CapacityGuard`. It is
 * serialized into the stack state and runs in Pulumi's provider process, so it captures nothing:
 * each method loads the package's runtime there by package name, which serves the resource by its
 * `kind` input, and no secret, client or zod schema lands in the state. One object for both kinds
 * means a program serializes it once (`@pulumi/pulumi` caches a provider's serialization by object).
 */
export const koodriveProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    require("pulumi-koodrive/provider-runtime").configure(req.config);
  },
  async check(olds, news) {
    return require("pulumi-koodrive/provider-runtime").check(olds, news);
  },
  async diff(id, olds, news) {
    return require("pulumi-koodrive/provider-runtime").diff(id, olds, news);
  },
  async create(inputs) {
    return require("pulumi-koodrive/provider-runtime").create(inputs);
  },
  async read(id, props) {
    return require("pulumi-koodrive/provider-runtime").read(id, props);
  },
  async update(id, olds, news) {
    return require("pulumi-koodrive/provider-runtime").update(id, olds, news);
  },
};
