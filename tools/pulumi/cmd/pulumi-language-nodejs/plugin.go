package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Which script of @pulumi/pulumi runs a plugin written in Node.js: policy packs (plugins of kind "analyzer") have
// their own, every other plugin the generic one, which PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides as upstream allows.
const (
	policyPackRunner = "@pulumi/pulumi/cmd/run-policy-pack"
	pluginRunner     = "@pulumi/pulumi/cmd/run-plugin"
)

// RunPlugin runs a plugin written in Node.js — a policy pack (`pulumi preview --policy-pack DIR`) or a provider
// in a folder with PulumiPlugin.yaml — the way Pulumi's own Node.js language host does (read at pulumi/pulumi commit
// 1b5949891b of 21 August 2026, the newest copy available here; RunPlugin is the same there as in v3.259.0), so a
// plugin cannot tell the two apart:
//
//	node <runner> [nodeargs…] <args…> <plugin directory>    (policy packs: the directory last)
//	node <runner> [nodeargs…] <plugin directory> <args…>    (other plugins: the directory first)
//
// The environment is the one the engine sends (not this host's), plus PULUMI_NODEJS_TYPESCRIPT and
// PULUMI_NODEJS_TSCONFIG_PATH from the plugin's `runtime.options`. A policy pack runs in its own directory, other
// plugins in the request's working directory. Its stdout and stderr are streamed back to the engine as they come;
// a non-zero exit is reported as "Program exited with non-zero exit code: N", and the plugin is killed when the
// engine ends the call.
//
// A policy pack additionally reads its stack's organisation, project, stack, dry-run flag and config from
// environment variables, which the engine only hands over through the Analyzer protocol (ConfigureStack). As
// upstream, a proxy from Pulumi's Go SDK (sdk.PolicyProxy) answers the engine first, collects that configuration,
// starts the pack with it in its environment, and then forwards every Analyzer call to the pack.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	policyPack := req.GetKind() == string(apitype.AnalyzerPlugin)
	trace("RunPlugin kind=%s name=%s dir=%s pwd=%s args=%v", req.GetKind(), req.GetName(), dir, req.GetPwd(), req.GetArgs())
	ctx := server.Context()

	if req.GetAttachDebugger() {
		return errors.New("this stand-in Node.js language host cannot attach a debugger to a plugin; " +
			"use Pulumi's own CLI to debug one")
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return err
	}
	env := append([]string(nil), req.GetEnv()...)
	env = append(env, typescriptEnv(opts)...)

	runner := pluginRunner
	if policyPack {
		runner = policyPackRunner
	} else if override := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); override != "" {
		runner = override
	}
	runner, err = locateModule(ctx, node, runner, dir, "npm install in "+dir)
	if err != nil {
		return err
	}
	args, err := pluginArgs(runner, opts, req, policyPack)
	if err != nil {
		return err
	}

	var proxy *sdk.PolicyProxy
	if policyPack {
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if env, err = appendStackEnv(env, stack); err != nil {
			return err
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	if policyPack {
		cmd.Dir = dir
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := runPlugin(ctx, cmd, proxy); err != nil {
		return pluginExitError(err)
	}
	return closer.Close()
}

// pluginArgs is node's command line for a plugin: the runner, the `nodeargs` option split as a shell would (given
// to the runner, after it, as upstream does), then the engine's arguments and the plugin's directory — last for a
// policy pack, whose runner takes the engine's address first, and first for every other plugin.
func pluginArgs(runner string, opts nodeOptions, req *pulumirpc.RunPluginRequest, policyPack bool) ([]string, error) {
	nodeargs, err := opts.nodeArgs()
	if err != nil {
		return nil, err
	}
	args := append([]string{runner}, nodeargs...)
	dir := req.GetInfo().GetProgramDirectory()
	if policyPack {
		args = append(args, req.GetArgs()...)
		return append(args, dir), nil
	}
	args = append(args, dir)
	return append(args, req.GetArgs()...), nil
}

// appendStackEnv adds what a policy pack learns of its stack from the engine's ConfigureStack call, in the variables
// @pulumi/pulumi reads it from; an empty value is left out, as upstream leaves it out. No call (a nil request, as for
// `pulumi policy publish`) adds nothing.
func appendStackEnv(env []string, stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return env, nil
	}
	add := func(name, value string) {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", stack.GetProject())
	add("PULUMI_NODEJS_STACK", stack.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.Config != nil {
		config, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not marshal stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(config))
	}
	return env, nil
}

// runPlugin starts the plugin and waits for it; a policy pack is waited for through the proxy, which first reads the
// pack's port from its stdout and attaches to it.
func runPlugin(ctx context.Context, cmd *exec.Cmd, proxy *sdk.PolicyProxy) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if proxy == nil {
		return cmd.Wait()
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		return fmt.Errorf("could not attach policy pack proxy: %w", err)
	}
	return nil
}

// pluginExitError words a plugin's failure as upstream does: its exit code when it ran and failed, otherwise that it
// could not be run at all.
func pluginExitError(err error) error {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			return fmt.Errorf("Program exited with non-zero exit code: %d", status.ExitStatus())
		}
		return fmt.Errorf("Program exited unexpectedly: %w", exitErr)
	}
	return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
}
