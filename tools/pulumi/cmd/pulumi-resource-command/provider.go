package main

// The ResourceProviderServer implementation of the stand-in `command` provider.
// See main.go for why this exists and what it covers.
//
// Behaviour mirrors pulumi-command 1.2.1's local provider:
//
//   - Check returns the news unchanged (after type-checking the known values).
//   - Diff compares the input properties. A change to `triggers` requires a
//     replacement (the real provider tags `triggers` replaceOnChanges, and the
//     npm SDK additionally sets `replaceOnChanges: ["triggers[*]"]`); a change to
//     any other input is an in-place update, which re-runs `update` if given,
//     otherwise `create`. Output-only properties (stdout, stderr, assets,
//     archive) are ignored.
//   - Create runs `create` (if set); Update runs `update`, falling back to
//     `create`; Delete runs `delete` (if set). In preview nothing runs and
//     stdout/stderr are unknown.
//   - Outputs are all inputs (secretness preserved) plus stdout and stderr with
//     one trailing newline trimmed. If any input contains a secret, stdout and
//     stderr are marked secret too (every output depends on every input).
//   - A non-zero exit fails the step with "exit status N: running "<cmd>":" and
//     the command's combined stdout/stderr.

import (
	"context"
	"errors"
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

// minimalSchema is what GetSchema returns. The engine does not need the full
// schema to run programs written against the npm SDK.
const minimalSchema = `{"name":"command","version":"1.2.1"}`

// commandInputKeys are the input properties of command:local:Command (from
// @pulumi/command 1.2.1 local/command.js).
var commandInputKeys = []resource.PropertyKey{
	"addPreviousOutputInEnv", "archivePaths", "assetPaths", "create", "delete", "dir",
	"environment", "interpreter", "logging", "stdin", "triggers", "update",
}

// replaceKeys are the inputs whose change forces a replacement.
var replaceKeys = map[resource.PropertyKey]bool{"triggers": true}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	mu     sync.Mutex
	engine pulumirpc.EngineClient // nil until we know the engine's address
}

func newProvider() *commandProvider { return &commandProvider{} }

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
	return &pulumirpc.GetSchemaResponse{Schema: minimalSchema}, nil
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

func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
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
	var failures []*pulumirpc.CheckFailure
	if _, err := parseInputs(news); err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			failures = append(failures, &pulumirpc.CheckFailure{Property: fe.key, Reason: fe.msg})
		} else {
			return nil, err
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// inputsOnly returns the input properties of a Command state/inputs map.
func inputsOnly(pm resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, k := range commandInputKeys {
		if v, ok := pm[k]; ok && !v.IsNull() {
			out[k] = v
		}
	}
	return out
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	oldsStruct := req.GetOldInputs()
	if oldsStruct == nil {
		oldsStruct = req.GetOlds()
	}
	olds, err := unmarshal("Diff.olds", oldsStruct)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal("Diff.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, news = inputsOnly(olds), inputsOnly(news)

	ignored := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignored[k] = true
	}

	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
	}
	for _, k := range commandInputKeys {
		if ignored[string(k)] {
			continue
		}
		ov, hasOld := olds[k]
		nv, hasNew := news[k]
		var kind pulumirpc.PropertyDiff_Kind
		switch {
		case !hasOld && !hasNew:
			continue
		case !hasOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		default:
			if !nv.ContainsUnknowns() && unsecret(ov).DeepEquals(unsecret(nv)) {
				continue
			}
			kind = pulumirpc.PropertyDiff_UPDATE
		}
		if replaceKeys[k] {
			switch kind {
			case pulumirpc.PropertyDiff_ADD:
				kind = pulumirpc.PropertyDiff_ADD_REPLACE
			case pulumirpc.PropertyDiff_DELETE:
				kind = pulumirpc.PropertyDiff_DELETE_REPLACE
			default:
				kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
			}
			resp.Replaces = append(resp.Replaces, string(k))
		}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		resp.Diffs = append(resp.Diffs, string(k))
		resp.DetailedDiff[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return resp, nil
}

// withOutputs returns inputs plus stdout/stderr. Outputs are secret when any
// input contains a secret.
func withOutputs(inputs resource.PropertyMap, stdout, stderr resource.PropertyValue) resource.PropertyMap {
	out := inputs.Copy()
	if resource.NewObjectProperty(inputs).ContainsSecrets() {
		if !stdout.IsComputed() {
			stdout = resource.MakeSecret(stdout)
		}
		if !stderr.IsComputed() {
			stderr = resource.MakeSecret(stderr)
		}
	}
	out["stdout"] = stdout
	out["stderr"] = stderr
	return out
}

func unknownString() resource.PropertyValue {
	return resource.MakeComputed(resource.NewStringProperty(""))
}

func withTimeout(ctx context.Context, seconds float64) (context.Context, context.CancelFunc) {
	if seconds > 0 {
		return context.WithTimeout(ctx, time.Duration(seconds*float64(time.Second)))
	}
	return context.WithCancel(ctx)
}

// execute carries out a create or an update: in a preview nothing runs and stdout/stderr are
// unknown; otherwise the command pick chooses (if any) runs, and its output, or the previous one
// when there is no command, becomes stdout/stderr.
func (p *commandProvider) execute(ctx context.Context, urn string, timeout float64, preview bool,
	props resource.PropertyMap, pick func(*inputs) (*string, bool), prevStdout, prevStderr string,
) (resource.PropertyMap, error) {
	if preview {
		return withOutputs(props, unknownString(), unknownString()), nil
	}
	in, err := parseInputs(props)
	if err != nil {
		return nil, err
	}
	stdout, stderr := prevStdout, prevStderr
	if command, secret := pick(in); command != nil {
		ctx, cancel := withTimeout(ctx, timeout)
		defer cancel()
		stdout, stderr, err = p.runCommand(ctx, resource.URN(urn), *command, secret, in, prevStdout, prevStderr)
		if err != nil {
			return nil, err
		}
	}
	return withOutputs(props, resource.NewStringProperty(stdout), resource.NewStringProperty(stderr)), nil
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	props, err := unmarshal("Create.properties", req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, err := resource.NewUniqueHex(nameOf(req.GetUrn(), req.GetName()), 8, 0)
	if err != nil {
		return nil, err
	}
	outputs, err := p.execute(ctx, req.GetUrn(), req.GetTimeout(), req.GetPreview(), inputsOnly(props),
		func(in *inputs) (*string, bool) { return in.create, in.createSecret }, "", "")
	if err != nil {
		return nil, err
	}
	s, err := marshal("Create.outputs", outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, nil
}

func prevOutputs(olds resource.PropertyMap) (string, string) {
	get := func(k resource.PropertyKey) string {
		v, ok := olds[k]
		if !ok {
			return ""
		}
		v = unsecret(v)
		if v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	return get("stdout"), get("stderr")
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	olds, err := unmarshal("Update.olds", req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal("Update.news", req.GetNews())
	if err != nil {
		return nil, err
	}
	oldStdout, oldStderr := prevOutputs(olds)
	outputs, err := p.execute(ctx, req.GetUrn(), req.GetTimeout(), req.GetPreview(), inputsOnly(news),
		func(in *inputs) (*string, bool) {
			if in.update != nil {
				return in.update, in.updateSecret
			}
			return in.create, in.createSecret
		}, oldStdout, oldStderr)
	if err != nil {
		return nil, err
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
	props, err := unmarshal("Delete.properties", req.GetProperties())
	if err != nil {
		return nil, err
	}
	in, err := parseInputs(inputsOnly(props))
	if err != nil {
		return nil, err
	}
	if in.delete != nil {
		oldStdout, oldStderr := prevOutputs(props)
		ctx, cancel := withTimeout(ctx, req.GetTimeout())
		defer cancel()
		if _, _, err := p.runCommand(ctx, resource.URN(req.GetUrn()), *in.delete, in.deleteSecret, in,
			oldStdout, oldStderr); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

// Read (refresh/import) returns the recorded state unchanged: a command's
// effects cannot be read back.
func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	inputs := req.GetInputs()
	if inputs == nil {
		props, err := unmarshal("Read.properties", req.GetProperties())
		if err != nil {
			return nil, err
		}
		if inputs, err = marshal("Read.inputs", inputsOnly(props)); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: inputs}, nil
}

// ---------------------------------------------------------------------------
// command:local:run

func (p *commandProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != runFunction {
		return nil, status.Errorf(codes.InvalidArgument,
			"function %q is not supported by this stand-in command provider (only %s)", req.GetTok(), runFunction)
	}
	args, err := unmarshal("Invoke.args", req.GetArgs())
	if err != nil {
		return nil, err
	}
	in, err := parseInputs(args)
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			return &pulumirpc.InvokeResponse{
				Failures: []*pulumirpc.CheckFailure{{Property: fe.key, Reason: fe.msg}},
			}, nil
		}
		return nil, err
	}
	if in.command == nil {
		return &pulumirpc.InvokeResponse{
			Failures: []*pulumirpc.CheckFailure{{Property: "command", Reason: "missing required property 'command'"}},
		}, nil
	}
	// Like the real provider, run also runs during previews.
	stdout, stderr, err := p.runCommand(ctx, "", *in.command, in.commandSecret, in, "", "")
	if err != nil {
		return nil, err
	}
	result := withOutputs(args, resource.NewStringProperty(stdout), resource.NewStringProperty(stderr))
	s, err := marshal("Invoke.return", result)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: s}, nil
}
