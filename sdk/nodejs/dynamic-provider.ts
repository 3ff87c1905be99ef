import type * as pulumi from "@pulumi/pulumi";

/**
 * The dynamic provider of one KooDrive resource. It is serialized into the stack state and runs in
 * Pulumi's provider process, so it captures nothing but the resource's name in the runtime: each
 * method loads the package's runtime there by package name, and no secret, client or zod schema
 * lands in the state.
 */
function runtimeProvider(resource: "serviceUsage" | "capacityGuard"): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      require("pulumi-koodrive/provider-runtime").configure(req.config);
    },
    async check(olds, news) {
      return require("pulumi-koodrive/provider-runtime")[resource].check(olds, news);
    },
    async diff(id, olds, news) {
      return require("pulumi-koodrive/provider-runtime")[resource].diff(id, olds, news);
    },
    async create(inputs) {
      return require("pulumi-koodrive/provider-runtime")[resource].create(inputs);
    },
    async read(id, props) {
      return require("pulumi-koodrive/provider-runtime")[resource].read(id, props);
    },
    async update(id, olds, news) {
      return require("pulumi-koodrive/provider-runtime")[resource].update(id, olds, news);
    },
  };
}

/** The provider behind `ServiceUsage`. */
export const serviceUsageProvider = runtimeProvider("serviceUsage");

/** The provider behind `CapacityGuard`. */
export const capacityGuardProvider = runtimeProvider("capacityGuard");
