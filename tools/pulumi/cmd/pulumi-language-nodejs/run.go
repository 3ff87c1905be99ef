package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// cancelGrace is how long a cancelled program gets to exit after its SIGINT before it is killed:
// upstream's 5 seconds.
var cancelGrace = 5 * time.Second

// exitCodeAlreadyReported is the exit code @pulumi/pulumi/cmd/run uses when
// the program failed and the error has already been sent to the engine as a
// diagnostic. We answer with Bail so the engine stops without printing a
// second, less useful message.
const exitCodeAlreadyReported = 32

// Run executes the program by launching the runner that ships in the
// program's own @pulumi/pulumi package:
//
//	node [nodeargs] <@pulumi/pulumi/cmd/run> --monitor=… --engine=… --project=…
//	     --stack=… --pwd=<program directory> [--dry-run] --parallel=N … <entry point> [args…]
//
// The runner connects back to the engine's resource monitor, loads ts-node
// for TypeScript programs, and runs the program. Config travels in
// environment variables because that is where @pulumi/pulumi reads it from.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	// The program runs in its own directory, as upstream runs it: `--pwd` is the program directory
	// (ProgramInfo), not the request's working directory, so with `main: src/` in Pulumi.yaml the
	// program's process.cwd() is <project>/src. The entry point ("." or a file name) is relative to it.
	dir := programDir(info, req.GetPwd())
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	trace("Run project=%s stack=%s pwd=%s dir=%s entry=%s dryRun=%v parallel=%d root=%s options=%v",
		req.GetProject(), req.GetStack(), req.GetPwd(), dir, entry, req.GetDryRun(), req.GetParallel(),
		info.GetRootDirectory(), info.GetOptions().AsMap())

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find node on the $PATH: %v", err)}, nil
	}
	runner, err := locateModule(ctx, node, "@pulumi/pulumi/cmd/run", dir, "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	args, err := opts.nodeArgs()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	args = append(args, runner,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.engine(),
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+dir,
		"--parallel="+strconv.Itoa(int(req.GetParallel())),
	)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if org := req.GetOrganization(); org != "" {
		args = append(args, "--organization="+org)
	}
	if root := info.GetRootDirectory(); root != "" {
		args = append(args, "--root-directory="+root)
	}
	// "." means "the program directory": the runner then looks for the entry
	// point in package.json (main/exports) itself, relative to --pwd.
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env, err := programEnv(req, opts)
	if err != nil {
		return nil, err
	}

	// Like upstream: the program stops when the engine sends Cancel or gives up on this call, by a
	// SIGINT (its @pulumi/pulumi then winds down), and is killed if still running after a grace period.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	defer context.AfterFunc(ctx, cmdCancel)()
	cmd := exec.CommandContext(cmdCtx, node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = cancelGrace
	cmd.Dir = dir
	cmd.Env = env
	// Our stdout/stderr are read by the engine, which shows them to the user
	// as the program's output.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		trace("Run finished ok")
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeAlreadyReported:
		trace("Run bailed (error already reported by the program)")
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		trace("Run failed: %v", err)
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	default:
		trace("Run could not start node: %v", err)
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
}

// locateModule resolves a module (the runner of a program or of a plugin) the way Node itself would from the
// program's or plugin's directory, so the program and the runner share one copy of @pulumi/pulumi (two copies would
// each hold their own runtime state). When it is missing, the error says, as upstream's does, what to run: install
// names that command.
func locateModule(ctx context.Context, node, module, dir, install string) (string, error) {
	script := `try { process.stdout.write(require.resolve(process.argv[1], {paths: [process.argv[2]]})) } ` +
		`catch (e) { console.error(e.code === "MODULE_NOT_FOUND" ? ` +
		`"It looks like the Pulumi SDK has not been installed. Have you run " + process.argv[3] + "?" : e.message); ` +
		`process.exit(1) }`
	cmd := exec.CommandContext(ctx, node, "-e", script, module, dir, install)
	cmd.Dir = dir
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// programEnv is our environment plus what @pulumi/pulumi reads at startup:
// config (PULUMI_CONFIG: {"ns:key": "value"}), which keys are secret
// (PULUMI_CONFIG_SECRET_KEYS: ["ns:key"]), and the TypeScript switches that
// come from `runtime.options` in Pulumi.yaml.
func programEnv(req *pulumirpc.RunRequest, opts nodeOptions) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretsJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	env := os.Environ()
	env = append(env,
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretsJSON),
	)
	return append(env, typescriptEnv(opts)...), nil
}

// typescriptEnv is what `runtime.options` tell @pulumi/pulumi about TypeScript, for a program and a plugin alike:
// ts-node is the default, and, like upstream, `typescript: false` only leaves the variable unset.
func typescriptEnv(opts nodeOptions) []string {
	var env []string
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	return env
}
