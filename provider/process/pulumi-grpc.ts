/**
 * Pulumi's copy of `@grpc/grpc-js`: the one its protocol modules (`@pulumi/pulumi/proto/*`) use, so the
 * provider's gRPC server and clients work with the messages and services they define.
 */
import { createRequire } from "node:module";
import { isSea } from "node:sea";
import type * as Grpc from "@grpc/grpc-js";

/**
 * `@grpc/grpc-js` as `@pulumi/pulumi` (a peer dependency) loads it, however the package manager laid
 * out node_modules. In the plugin's single executable (`npm run dist`) everything is one bundle, with
 * one copy of each module: there it is the bundled copy.
 */
export function pulumiGrpc(): typeof Grpc {
  if (isSea()) return require("@grpc/grpc-js");
  return createRequire(require.resolve("@pulumi/pulumi"))("@grpc/grpc-js");
}
