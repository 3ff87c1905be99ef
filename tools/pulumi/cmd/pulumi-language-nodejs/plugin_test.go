package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// fakePluginNode is a `node` for RunPlugin: it answers the runner lookup (`node -e <script> <module> …`) with
// /fake/<module>, records its arguments, working directory and the variables a plugin reads in $ARGS_FILE, writes a
// line to stderr, prints $PORT (a policy pack's first line) when set, waits for $STOP to exist when set, and exits
// with $CODE.
const fakePluginNode = `#!/bin/sh
if [ "$1" = "-e" ]; then printf '/fake/%s' "$3"; exit 0; fi
{ printf '%s\n' "$@"; echo "CWD=$(pwd -P)"; echo "TS=$PULUMI_NODEJS_TYPESCRIPT"; echo "ENGINE=$FROM_ENGINE";
  echo "HOST=$HOST_ONLY"; echo "STACK=$PULUMI_NODEJS_PROJECT/$PULUMI_NODEJS_STACK"; echo "DRY=$PULUMI_NODEJS_DRY_RUN";
  echo "CONFIG=$PULUMI_CONFIG"; } > "$ARGS_FILE"
echo "a line on stderr" >&2
if [ -n "$PORT" ]; then echo "$PORT"; fi
if [ -n "$STOP" ]; then while [ ! -e "$STOP" ]; do sleep 0.05; done; fi
exit "$CODE"
`

// pluginStream stands in for the engine's end of a RunPlugin call: it collects what the host streams back.
type pluginStream struct {
	grpc.ServerStream
	ctx            context.Context
	mu             sync.Mutex
	stdout, stderr strings.Builder
	lines          chan string
}

func (s *pluginStream) Context() context.Context { return s.ctx }

func (s *pluginStream) Send(r *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdout.Write(r.GetStdout())
	s.stderr.Write(r.GetStderr())
	if out := r.GetStdout(); len(out) > 0 && s.lines != nil {
		s.lines <- string(out)
	}
	return nil
}

func (s *pluginStream) output() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String(), s.stderr.String()
}

type pluginFixture struct {
	dir, plugin, args string
	env               []string
}

// newPluginFixture puts the fake node first on this host's PATH and returns a plugin directory and the environment
// the engine sends (which holds FROM_ENGINE; HOST_ONLY is in the host's own environment only).
func newPluginFixture(t *testing.T) pluginFixture {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	plugin := filepath.Join(dir, "plugin")
	for _, d := range []string{bin, plugin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "node"), []byte(fakePluginNode), 0o755); err != nil {
		t.Fatal(err)
	}
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)
	t.Setenv("HOST_ONLY", "leaked")
	f := pluginFixture{dir: dir, plugin: plugin, args: filepath.Join(dir, "args")}
	f.env = []string{"PATH=" + path, "FROM_ENGINE=yes", "ARGS_FILE=" + f.args}
	return f
}

func (f pluginFixture) request(t *testing.T, kind string, options map[string]any, env ...string) *pulumirpc.RunPluginRequest {
	t.Helper()
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.RunPluginRequest{
		Pwd: f.dir, Args: []string{"127.0.0.1:4242", "--flag"}, Env: append(append([]string(nil), f.env...), env...),
		Kind: kind, Name: "p", Info: &pulumirpc.ProgramInfo{ProgramDirectory: f.plugin, EntryPoint: ".", Options: opts},
	}
}

func (f pluginFixture) recorded(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(f.args)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A plugin other than a policy pack: run-plugin, nodeargs after it, the plugin directory before the engine's
// arguments, in the request's working directory, with the engine's environment (not the host's) plus the TypeScript
// switch; its output streamed back, its exit code reported.
func TestRunPluginRunsAProviderAsUpstream(t *testing.T) {
	f := newPluginFixture(t)
	stream := &pluginStream{ctx: context.Background()}
	err := newHost("").RunPlugin(f.request(t, "resource", map[string]any{"nodeargs": `--title "a b"`}, "CODE=0"), stream)
	if err != nil {
		t.Fatalf("RunPlugin: %v", err)
	}
	wd, _ := filepath.EvalSymlinks(f.dir)
	want := strings.Join([]string{
		"/fake/@pulumi/pulumi/cmd/run-plugin", "--title", "a b", f.plugin, "127.0.0.1:4242", "--flag",
		"CWD=" + wd, "TS=true", "ENGINE=yes", "HOST=", "STACK=/", "DRY=", "CONFIG=",
	}, "\n") + "\n"
	if got := f.recorded(t); got != want {
		t.Errorf("recorded:\n%s\nwant:\n%s", got, want)
	}
	if _, stderr := stream.output(); stderr != "a line on stderr\n" {
		t.Errorf("stderr = %q", stderr)
	}

	err = newHost("").RunPlugin(f.request(t, "resource", map[string]any{"typescript": false}, "CODE=3"), stream)
	if err == nil || err.Error() != "Program exited with non-zero exit code: 3" {
		t.Errorf("a plugin exiting 3: %v", err)
	}
	if !strings.Contains(f.recorded(t), "\nTS=\n") {
		t.Errorf("typescript: false still set PULUMI_NODEJS_TYPESCRIPT: %s", f.recorded(t))
	}
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", "./my-runner.js")
	if err := newHost("").RunPlugin(f.request(t, "resource", nil, "CODE=0"), stream); err != nil {
		t.Fatal(err)
	}
	if got := f.recorded(t); !strings.HasPrefix(got, "/fake/./my-runner.js\n") {
		t.Errorf("PULUMI_LANGUAGE_NODEJS_RUN_PATH ignored: %s", got)
	}
}

// recordingAnalyzer is the policy pack's own Analyzer server, which the host's proxy attaches to.
type recordingAnalyzer struct {
	pulumirpc.UnimplementedAnalyzerServer
	configured chan *pulumirpc.AnalyzerStackConfigureRequest
}

func (a *recordingAnalyzer) ConfigureStack(
	_ context.Context, req *pulumirpc.AnalyzerStackConfigureRequest,
) (*pulumirpc.AnalyzerStackConfigureResponse, error) {
	a.configured <- req
	return &pulumirpc.AnalyzerStackConfigureResponse{}, nil
}

func (a *recordingAnalyzer) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "9.9.9"}, nil
}

// A policy pack, as the engine runs one for `--policy-pack DIR`: the host answers on its proxy's port first, takes
// the stack's configuration from ConfigureStack, starts run-policy-pack with the engine's arguments and then the
// pack's directory, in the pack's directory, with the stack in its environment; it forwards the configuration and
// later calls to the pack, and reports the pack's exit.
func TestRunPluginRunsAPolicyPackAsUpstream(t *testing.T) {
	f := newPluginFixture(t)
	pack := &recordingAnalyzer{configured: make(chan *pulumirpc.AnalyzerStackConfigureRequest, 1)}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{Init: func(srv *grpc.Server) error {
		pulumirpc.RegisterAnalyzerServer(srv, pack)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	stop := filepath.Join(f.dir, "stop")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stream := &pluginStream{ctx: ctx, lines: make(chan string, 16)}
	done := make(chan error, 1)
	req := f.request(t, "analyzer", nil, fmt.Sprintf("PORT=%d", handle.Port), "STOP="+stop, "CODE=4")
	go func() { done <- newHost("").RunPlugin(req, stream) }()

	var proxyPort int
	if _, err := fmt.Sscanf(<-stream.lines, "%d\n", &proxyPort); err != nil {
		t.Fatalf("the proxy's port: %v", err)
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", proxyPort), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	proxy := pulumirpc.NewAnalyzerClient(conn)
	stack := &pulumirpc.AnalyzerStackConfigureRequest{
		Project: "proj", Stack: "dev", DryRun: true, Config: map[string]string{"koodrive:endpoint": "http://127.0.0.1:1"},
	}
	if _, err := proxy.ConfigureStack(ctx, stack); err != nil {
		t.Fatal(err)
	}
	if got := <-pack.configured; got.GetStack() != "dev" {
		t.Errorf("the pack was configured with %v", got)
	}
	info, err := proxy.GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil || info.GetVersion() != "9.9.9" {
		t.Errorf("GetPluginInfo through the proxy = %v, %v", info, err)
	}
	wd, _ := filepath.EvalSymlinks(f.plugin)
	want := strings.Join([]string{
		"/fake/@pulumi/pulumi/cmd/run-policy-pack", "127.0.0.1:4242", "--flag", f.plugin,
		"CWD=" + wd, "TS=true", "ENGINE=yes", "HOST=", "STACK=proj/dev", "DRY=true",
		`CONFIG={"koodrive:endpoint":"http://127.0.0.1:1"}`,
	}, "\n") + "\n"
	if got := f.recorded(t); got != want {
		t.Errorf("recorded:\n%s\nwant:\n%s", got, want)
	}
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !strings.HasSuffix(err.Error(), "Program exited with non-zero exit code: 4") {
		t.Errorf("a pack exiting 4: %v", err)
	}
	if _, stderr := stream.output(); stderr != "a line on stderr\n" {
		t.Errorf("stderr = %q", stderr)
	}
}

// A pack whose @pulumi/pulumi is not installed fails with upstream's advice, naming the folder to install in; this
// asks the real node on PATH (CI runs these tests after npm ci, with Node installed).
func TestRunPluginNamesTheMissingSDK(t *testing.T) {
	dir := t.TempDir()
	req := &pulumirpc.RunPluginRequest{Pwd: dir, Kind: "analyzer", Env: os.Environ(), Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir}}
	err := newHost("").RunPlugin(req, &pluginStream{ctx: context.Background()})
	want := "It looks like the Pulumi SDK has not been installed. Have you run npm install in " + dir + "?"
	if err == nil || err.Error() != want {
		t.Errorf("RunPlugin = %v, want %q", err, want)
	}
}
