package main

// The ResourceProviderServer implementation of the stand-in `command` provider.
// See main.go for why this exists and what it covers.
//
// It behaves as pulumi-command 1.2.1's local provider (read from its source: provider/pkg/provider/
// local, and the pulumi-go-provider `infer` framework it is built on):
//
//   - Check decodes the inputs and reports the framework's failures (wrong types, unknown fields).
//   - Diff compares old and new inputs value by value (see diff.go).
//   - Create runs `create` (if set); Update runs `update`, else `create`; Delete runs `delete`
//     (if set). A preview runs nothing: stdout and stderr are unknown (see diff.go for updates).
//   - Outputs are the inputs (their secretness kept) plus stdout and stderr with one trailing newline
//     trimmed, plus `assets`/`archive` when asked for. stdout and stderr are never secret by
//     themselves: a program marks them with the `additionalSecretOutputs` resource option.
//   - A failure reads `exit status N: running "<command>":` and the combined output.
//   - Cancel stops every running command, and every later one at once.

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	providerVersion = "1.2.1"
	commandType     = "command:local:Command"
	runFunction     = "command:local:run"
)

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	mu        sync.Mutex
	engine    pulumirpc.EngineClient // nil until we know the engine's address
	cancelled bool                   // set by Cancel
	running   map[int]context.CancelFunc
	nextOp    int
}

func newProvider() *commandProvider {
	return &commandProvider{running: map[int]context.CancelFunc{}}
}

// operation gives one command run its context: cancelled by Cancel (at once when Cancel came
// before), and after timeout seconds when the engine gives one (a resource's customTimeouts).
// Like upstream, the timeout is cut to whole seconds.
func (p *commandProvider) operation(ctx context.Context, timeout float64) (context.Context, func()) {
	var cancel context.CancelFunc
	if timeout == 0 {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithTimeout(ctx, time.Second*time.Duration(timeout))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancelled {
		cancel()
		return ctx, cancel
	}
	id := p.nextOp
	p.nextOp++
	p.running[id] = cancel
	return ctx, func() {
		p.mu.Lock()
		delete(p.running, id)
		p.mu.Unlock()
		cancel()
	}
}

// connectEngine dials the engine so that command output can be streamed to it
// as status messages. Only the first successful connection is kept.
func (p *commandProvider) connectEngine(addr string) error {
	if addr == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.engine != nil {
		return nil
	}
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return err
	}
	p.engine = pulumirpc.NewEngineClient(conn)
	return nil
}

func (p *commandProvider) engineClient() pulumirpc.EngineClient {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.engine
}

var marshalOpts = plugin.MarshalOptions{
	KeepUnknowns:  true,
	KeepSecrets:   true,
	KeepResources: true,
	SkipNulls:     true,
}

func unmarshal(label string, s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	opts := marshalOpts
	opts.Label = label
	return plugin.UnmarshalProperties(s, opts)
}

func marshal(label string, pm resource.PropertyMap) (*structpb.Struct, error) {
	opts := marshalOpts
	opts.Label = label
	return plugin.MarshalProperties(pm, opts)
}

func typeOf(urn, typ string) string {
	if typ != "" {
		return typ
	}
	if urn == "" {
		return ""
	}
	return string(resource.URN(urn).Type())
}

func nameOf(urn, name string) string {
	if name != "" {
		return name
	}
	if urn == "" {
		return ""
	}
	return resource.URN(urn).Name()
}

func checkType(urn, typ string) error {
	if t := typeOf(urn, typ); t != commandType {
		return status.Errorf(codes.InvalidArgument,
			"resource type %q is not supported by this stand-in command provider (only %s)", t, commandType)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Plugin / provider-level RPCs

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: providerVersion}, nil
}

func (p *commandProvider) Attach(_ context.Context, req *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	if err := p.connectEngine(req.GetAddress()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func (p *commandProvider) Handshake(
	_ context.Context, req *pulumirpc.ProviderHandshakeRequest,
) (*pulumirpc.ProviderHandshakeResponse, error) {
	if err := p.connectEngine(req.GetEngineAddress()); err != nil {
		return nil, err
	}
	return &pulumirpc.ProviderHandshakeResponse{
		AcceptSecrets:   true,
		AcceptResources: true,
		AcceptOutputs:   false,
	}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: packageSchema()}, nil
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{
		AcceptSecrets:   true,
		SupportsPreview: true,
		AcceptResources: true,
		AcceptOutputs:   false,
	}, nil
}

// Cancel is the engine's request to stop (the user pressed Ctrl-C twice, or the engine is shutting
// down): running commands are killed and later ones fail at once, as upstream does.
func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancelled = true
	for id, cancel := range p.running {
		cancel()
		delete(p.running, id)
	}
	return &emptypb.Empty{}, nil
}

// ---------------------------------------------------------------------------
// command:local:Command

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	news, err := unmarshal("Check.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	_, failures := decode(commandInputs, news)
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	state, err := unmarshal("Diff.olds", req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal("Diff.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	applyIgnoreChanges(news, state, req.GetIgnoreChanges())
	var olds resource.PropertyMap
	if req.GetOldInputs() != nil {
		if olds, err = unmarshal("Diff.oldInputs", req.GetOldInputs()); err != nil {
			return nil, err
		}
	} else {
		// An engine that does not send the old inputs: take them from the state.
		olds = resource.PropertyMap{}
		for _, f := range commandInputs.fields {
			if v, ok := state[f.key]; ok {
				olds[f.key] = v
			}
		}
	}
	return diffInputs(olds, news), nil
}

// withOutputs returns the inputs (secretness kept) plus what the command produced.
func withOutputs(inputs resource.PropertyMap, res result) resource.PropertyMap {
	out := inputs.Copy()
	for k, v := range res.properties() {
		out[k] = v
	}
	return out
}

// markUnknown makes the outputs a command produces unknown, keeping the inputs as they are.
func markUnknown(pm resource.PropertyMap) resource.PropertyMap {
	for _, f := range outputFields {
		if v, ok := pm[f.key]; ok && !v.IsComputed() {
			pm[f.key] = resource.MakeComputed(v)
		}
	}
	return pm
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	props, err := unmarshal("Create.properties", req.GetProperties())
	if err != nil {
		return nil, err
	}
	in, failures := decode(commandInputs, props)
	if len(failures) > 0 {
		return nil, failuresError("inputs", failures)
	}
	id, err := resource.NewUniqueHex(nameOf(req.GetUrn(), req.GetName()), 8, 0)
	if err != nil {
		return nil, err
	}
	var outputs resource.PropertyMap
	switch {
	case req.GetPreview():
		outputs = markUnknown(withOutputs(props, result{}))
	case in.create == nil:
		outputs = withOutputs(props, result{})
	default:
		ctx, done := p.operation(ctx, req.GetTimeout())
		defer done()
		res, err := p.runCommand(ctx, resource.URN(req.GetUrn()), *in.create, in, result{})
		if err != nil {
			return nil, err
		}
		outputs = withOutputs(props, res)
	}
	s, err := marshal("Create.outputs", outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, nil
}

// recorded decodes a Command's state: its inputs, and what its last run produced.
func recorded(state resource.PropertyMap) (*inputs, result, error) {
	in, failures := decode(commandState, state)
	if len(failures) > 0 {
		return nil, result{}, failuresError("state", failures)
	}
	return in, result{stdout: in.stdout, stderr: in.stderr, assets: state["assets"], archive: state["archive"]}, nil
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	state, err := unmarshal("Update.olds", req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal("Update.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	applyIgnoreChanges(news, state, req.GetIgnoreChanges())
	_, prev, err := recorded(state)
	if err != nil {
		return nil, err
	}
	in, failures := decode(commandInputs, news)
	if len(failures) > 0 {
		return nil, failuresError("inputs", failures)
	}
	command := in.create
	if in.update != nil {
		command = in.update
	}
	outputs := withOutputs(news, prev)
	switch {
	case req.GetPreview():
		if outputsUnknownInUpdatePreview(state, news) {
			outputs = markUnknown(outputs)
		}
	case command != nil:
		ctx, done := p.operation(ctx, req.GetTimeout())
		defer done()
		res, err := p.runCommand(ctx, resource.URN(req.GetUrn()), *command, in, prev)
		if err != nil {
			return nil, err
		}
		outputs = withOutputs(news, res)
	}
	s, err := marshal("Update.outputs", outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: s}, nil
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	state, err := unmarshal("Delete.properties", req.GetProperties())
	if err != nil {
		return nil, err
	}
	in, prev, err := recorded(state)
	if err != nil {
		return nil, err
	}
	if in.delete != nil {
		ctx, done := p.operation(ctx, req.GetTimeout())
		defer done()
		if _, err := p.runCommand(ctx, resource.URN(req.GetUrn()), *in.delete, in, prev); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

// Read (refresh) returns the recorded state unchanged: a command's effects cannot be read back.
func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// ---------------------------------------------------------------------------
// command:local:run

// Invoke runs the command, in previews too (upstream does; the function exists to run every time).
func (p *commandProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != runFunction {
		return nil, status.Errorf(codes.InvalidArgument,
			"function %q is not supported by this stand-in command provider (only %s)", req.GetTok(), runFunction)
	}
	args, err := unmarshal("Invoke.args", req.GetArgs())
	if err != nil {
		return nil, err
	}
	in, failures := decode(runInputs, args)
	if len(failures) > 0 {
		return &pulumirpc.InvokeResponse{Failures: failures}, nil
	}
	command := "" // an unknown command decodes to its zero value upstream
	if in.command != nil {
		command = *in.command
	}
	ctx, done := p.operation(ctx, 0)
	defer done()
	res, err := p.runCommand(ctx, "", command, in, result{})
	if err != nil {
		return nil, err
	}
	s, err := marshal("Invoke.return", withOutputs(args, res))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: s}, nil
}
