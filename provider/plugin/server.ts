/**
 * The gRPC side of the provider plugin: serves Pulumi's ResourceProvider protocol on loopback and
 * prints the port, as the engine expects of a plugin it starts. Written on the protocol itself
 * rather than `@pulumi/pulumi/provider`'s `main`, whose server drops the configuration `Configure`
 * receives and refuses `CheckConfig` (pulumi/pulumi#10915): here both reach the provider.
 */
import { randomUUID } from "node:crypto";
import type * as Grpc from "@grpc/grpc-js";
import * as errorsProto from "@pulumi/pulumi/proto/errors_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as statusProto from "@pulumi/pulumi/proto/status_pb";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { type Failure, GuardRefusal } from "../client/errors";
import { PACKAGE_VERSION } from "../client/version";
import { CONNECTION_SETTINGS, type ConnectionKey, isConnectionKey } from "../config/connection-settings";
import type { LogLine } from "../process/engine-log";
import { EngineLog } from "../process/engine-log";
import type { Values } from "../process/protocol";
import { engineAddressOf, type ProviderStateOptions } from "../process/provider-state";
import { pulumiGrpc } from "../process/pulumi-grpc";
import { KooDriveProvider } from "./koodrive-provider";
import { SCHEMA } from "./schema";
import { plain, secret, withoutUndefined } from "./values";

const grpc = pulumiGrpc();

type Callback<T> = (error: Grpc.ServiceError | null, value?: T) => void;
interface Call<T> {
  request: T;
}

const toValues = (struct: Struct | undefined): Values => (plain(struct?.toJavaScript() ?? {}) ?? {}) as Values;
const toStruct = (values: Values): Struct => Struct.fromJavaScript(withoutUndefined(values) as never);

function failureList(failures: Failure[]): providerProto.CheckFailure[] {
  return failures.map((failure) =>
    new providerProto.CheckFailure().setProperty(failure.property).setReason(failure.reason),
  );
}

/**
 * A guard's refusal at create or update as Pulumi's own provider server sends an `InputPropertiesError`:
 * `INVALID_ARGUMENT`, with each refused argument and its reason as `pulumirpc.InputPropertiesError`
 * details. The engine (3.274) renders those details for a component's construct and call only and
 * prints a create's message alone, so the message names each argument as the engine would render it.
 */
function refusalStatus(refusal: GuardRefusal): Grpc.ServiceError {
  const message = [
    refusal.summary,
    ...refusal.failures.map((failure) => `\t\t- property ${failure.property} has a problem: ${failure.reason}`),
  ].join("\n");
  const details = new errorsProto.InputPropertiesError().setErrorsList(
    refusal.failures.map((failure) =>
      new errorsProto.InputPropertiesError.PropertyError().setPropertyPath(failure.property).setReason(failure.reason),
    ),
  );
  const packed = new Any();
  packed.pack(details.serializeBinary(), "pulumirpc.InputPropertiesError");
  const status = new statusProto.Status()
    .setCode(grpc.status.INVALID_ARGUMENT)
    .setMessage(message)
    .setDetailsList([packed]);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.INVALID_ARGUMENT, details: message, message, metadata, name: refusal.name };
}

/** A failed call's gRPC status: a guard's refusal with its arguments, anything else `UNKNOWN` with its message (never a stack). */
export function statusOf(error: unknown): Grpc.ServiceError {
  if (error instanceof GuardRefusal) return refusalStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  return { code: grpc.status.UNKNOWN, details: message, message, metadata: new grpc.Metadata(), name: "Error" };
}

/** A handler that answers with `work`'s result, or with its error's status. */
function handle<Req, Res>(work: (request: Req) => Promise<Res> | Res) {
  return (call: Call<Req>, callback: Callback<Res>) => {
    Promise.resolve()
      .then(() => work(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(statusOf(error)),
      );
  };
}

/** The ResourceProvider service of one plugin process. */
function service(provider: KooDriveProvider, log: EngineLog) {
  const say =
    (urn: string) =>
    (line: string, severity: LogLine["severity"] = "info") =>
      void log.write(urn, [{ severity, message: line }]);
  return {
    getPluginInfo: handle(() => new pluginProto.PluginInfo().setVersion(PACKAGE_VERSION)),
    getSchema: handle(() => new providerProto.GetSchemaResponse().setSchema(JSON.stringify(SCHEMA))),
    attach: handle(() => new Empty()),
    // The engine's cancel (Ctrl-C, a cancelled job): reads and waits for the tenant stop at once.
    cancel: handle(() => {
      provider.state.cancellation.cancel();
      return new Empty();
    }),
    checkConfig: handle(async (request: providerProto.CheckRequest) => {
      const { inputs, failures, log: lines } = provider.checkConfig(toValues(request.getNews()), request.getUrn());
      await log.write(request.getUrn(), lines);
      // Credentials stay secret in the provider's state, however they were given.
      const marked = Object.fromEntries(
        Object.entries(inputs).map(([key, value]) => [
          key,
          isConnectionKey(key) && CONNECTION_SETTINGS[key as ConnectionKey].secret ? secret(value) : value,
        ]),
      );
      return new providerProto.CheckResponse().setInputs(toStruct(marked)).setFailuresList(failureList(failures));
    }),
    diffConfig: handle((request: providerProto.DiffRequest) => {
      const changed =
        JSON.stringify(toValues(request.getOldInputs() ?? request.getOlds())) !==
        JSON.stringify(toValues(request.getNews()));
      return new providerProto.DiffResponse().setChanges(
        changed ? providerProto.DiffResponse.DiffChanges.DIFF_SOME : providerProto.DiffResponse.DiffChanges.DIFF_NONE,
      );
    }),
    configure: handle((request: providerProto.ConfigureRequest) => {
      const args = request.getArgs();
      const config = args
        ? toValues(args)
        : Object.fromEntries(
            request
              .getVariablesMap()
              .getEntryList()
              .map(([key, value]) => [key.replace(/^koodrive:(config:)?/, ""), value]),
          );
      provider.configure(config);
      // Secrets arrive plain (the engine re-marks outputs whose inputs were secret); no preview call:
      // the engine shows the checked inputs as outputs in preview.
      return new providerProto.ConfigureResponse()
        .setAcceptsecrets(false)
        .setSupportspreview(false)
        .setAcceptresources(false)
        .setAcceptoutputs(false);
    }),
    check: handle(async (request: providerProto.CheckRequest) => {
      const urn = request.getUrn();
      const {
        inputs,
        failures,
        log: lines,
      } = await provider.check(urn, toValues(request.getOlds()), toValues(request.getNews()));
      await log.write(urn, lines);
      return new providerProto.CheckResponse().setInputs(toStruct(inputs)).setFailuresList(failureList(failures));
    }),
    diff: handle(async (request: providerProto.DiffRequest) => {
      const urn = request.getUrn();
      const { changes, replaces = [] } = await provider.diff(
        urn,
        toValues(request.getOlds()),
        toValues(request.getNews()),
        say(urn),
      );
      return new providerProto.DiffResponse()
        .setChanges(
          changes ? providerProto.DiffResponse.DiffChanges.DIFF_SOME : providerProto.DiffResponse.DiffChanges.DIFF_NONE,
        )
        .setReplacesList(replaces);
    }),
    create: handle(async (request: providerProto.CreateRequest) => {
      const urn = request.getUrn();
      const { id, inputs, log: lines } = await provider.deploy(urn, {}, toValues(request.getProperties()), say(urn));
      await log.write(urn, lines);
      return new providerProto.CreateResponse().setId(id ?? randomUUID()).setProperties(toStruct(inputs));
    }),
    update: handle(async (request: providerProto.UpdateRequest) => {
      const urn = request.getUrn();
      const olds = toValues(request.getOlds());
      const { inputs, log: lines } = await provider.deploy(urn, olds, toValues(request.getNews()), say(urn));
      await log.write(urn, lines);
      return new providerProto.UpdateResponse().setProperties(toStruct(inputs));
    }),
    read: handle(async (request: providerProto.ReadRequest) => {
      const { id, inputs, outs } = await provider.read(
        request.getUrn(),
        request.getId(),
        toValues(request.getInputs()),
        toValues(request.getProperties()),
      );
      return new providerProto.ReadResponse()
        .setId(id ?? request.getId())
        .setProperties(toStruct(outs))
        .setInputs(toStruct(inputs));
    }),
    delete: handle(async (request: providerProto.DeleteRequest) => {
      await provider.delete(request.getUrn(), request.getId(), toValues(request.getProperties()));
      return new Empty();
    }),
    invoke: handle(async (request: providerProto.InvokeRequest) => {
      const { outputs, failures } = await provider.invoke(request.getTok());
      return new providerProto.InvokeResponse().setReturn(toStruct(outputs)).setFailuresList(failureList(failures));
    }),
  };
}

/** A plugin's gRPC server, started: its port, and the provider it serves. */
export interface RunningPlugin {
  port: number;
  provider: KooDriveProvider;
  server: Grpc.Server;
}

/**
 * Starts the plugin's gRPC server on a loopback port: `args` are the engine's (its address first,
 * flags aside); `options.exit` is the entry point's, with which the state ends the process (see
 * `ProviderStateOptions`).
 */
export async function startServer(args: string[], options: ProviderStateOptions = {}): Promise<RunningPlugin> {
  const engineAddress = engineAddressOf(args);
  const provider = new KooDriveProvider(engineAddress, options);
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(
    providerRpc.ResourceProviderService as unknown as Grpc.ServiceDefinition,
    service(provider, new EngineLog(engineAddress)) as unknown as Grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, provider, server };
}

/** Starts the plugin (see `startServer`) and prints its port, as the engine expects of a plugin it starts. */
export async function serve(args: string[], options: ProviderStateOptions = {}): Promise<void> {
  const { port } = await startServer(args, options);
  process.stdout.write(`${port}\n`);
}
