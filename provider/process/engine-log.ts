/**
 * Lines the provider shows against a resource, sent to the engine's `Log` service at the address the
 * engine started the provider process with (the dynamic provider's and the plugin's alike).
 */
import { pulumiGrpc } from "./pulumi-grpc";

/** A line for the engine to show against a resource (a guard's verdict, a warning). */
export interface LogLine {
  severity: "info" | "warning" | "error";
  message: string;
}

/** Where the provider's lines go: the engine, or nowhere (tests without an engine collect them instead). */
export interface LogSink {
  write(urn: string, lines: LogLine[]): Promise<void>;
}

/** The engine's `Log` service at `address`; loads Pulumi's protocol code on the first line. */
export class EngineLog implements LogSink {
  readonly #address: string | undefined;
  #client: { log(request: unknown, done: () => void): void } | undefined;
  #proto: typeof import("@pulumi/pulumi/proto/engine_pb") | undefined;

  constructor(address: string | undefined) {
    this.#address = address;
  }

  async write(urn: string, lines: LogLine[]): Promise<void> {
    if (!this.#address || lines.length === 0) return;
    if (!this.#client || !this.#proto) {
      const engineRpc: typeof import("@pulumi/pulumi/proto/engine_grpc_pb") = require("@pulumi/pulumi/proto/engine_grpc_pb");
      this.#proto = require("@pulumi/pulumi/proto/engine_pb") as typeof import("@pulumi/pulumi/proto/engine_pb");
      this.#client = new engineRpc.EngineClient(
        this.#address,
        pulumiGrpc().credentials.createInsecure() as never,
      ) as never;
    }
    const proto = this.#proto;
    const client = this.#client;
    for (const line of lines) {
      const severity = {
        info: proto.LogSeverity.INFO,
        warning: proto.LogSeverity.WARNING,
        error: proto.LogSeverity.ERROR,
      }[line.severity];
      const request = new proto.LogRequest().setSeverity(severity).setMessage(line.message).setUrn(urn);
      await new Promise<void>((resolve) => client.log(request, () => resolve()));
    }
  }
}
