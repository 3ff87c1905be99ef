package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const testURN = "urn:pulumi:t::proj::command:local:Command::hello"

// fakeEngine records Log calls (the provider streams command output there).
type fakeEngine struct {
	pulumirpc.UnimplementedEngineServer
	mu   sync.Mutex
	logs []*pulumirpc.LogRequest
}

func (e *fakeEngine) Log(_ context.Context, req *pulumirpc.LogRequest) (*emptypb.Empty, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logs = append(e.logs, req)
	return &emptypb.Empty{}, nil
}

func (e *fakeEngine) messages() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, l := range e.logs {
		out = append(out, l.Message)
	}
	return out
}

func serve(t *testing.T, init func(*grpc.Server)) string {
	t.Helper()
	cancel := make(chan bool)
	h, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init:   func(s *grpc.Server) error { init(s); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(cancel); <-h.Done })
	return "127.0.0.1:" + strconv.Itoa(h.Port)
}

type harness struct {
	client pulumirpc.ResourceProviderClient
	engine *fakeEngine
	prov   *commandProvider
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	eng := &fakeEngine{}
	engAddr := serve(t, func(s *grpc.Server) { pulumirpc.RegisterEngineServer(s, eng) })
	prov := newProvider()
	provAddr := serve(t, func(s *grpc.Server) { pulumirpc.RegisterResourceProviderServer(s, prov) })
	conn, err := grpc.NewClient(provAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := pulumirpc.NewResourceProviderClient(conn)
	ctx := context.Background()
	if _, err := c.Handshake(ctx, &pulumirpc.ProviderHandshakeRequest{EngineAddress: engAddr}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Configure(ctx, &pulumirpc.ConfigureRequest{}); err != nil {
		t.Fatal(err)
	}
	return &harness{client: c, engine: eng, prov: prov}
}

func mustMarshal(t *testing.T, pm resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := marshal("test", pm)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustUnmarshal(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	pm, err := unmarshal("test", s)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

func str(s string) resource.PropertyValue { return resource.NewStringProperty(s) }

func (h *harness) create(t *testing.T, props resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	t.Helper()
	resp, err := h.client.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: testURN, Properties: mustMarshal(t, props), Preview: preview,
	})
	if err != nil {
		return "", nil, err
	}
	return resp.Id, mustUnmarshal(t, resp.Properties), nil
}

func stringOut(t *testing.T, pm resource.PropertyMap, k resource.PropertyKey) string {
	t.Helper()
	v, ok := pm[k]
	if !ok {
		t.Fatalf("missing output %q in %v", k, pm)
	}
	v = unsecret(v)
	if !v.IsString() {
		t.Fatalf("output %q is %v, not a string", k, v)
	}
	return v.StringValue()
}

func TestBootArgs(t *testing.T) {
	cases := map[string][]string{
		"127.0.0.1:1234": {"--logtostderr", "-v=9", "--tracing", "http://zipkin", "--future-flag=x", "127.0.0.1:1234"},
		"127.0.0.1:99":   {"127.0.0.1:99"},
		"":               {"--logtostderr"},
	}
	for want, args := range cases {
		if got := parseArgs(args); got != want {
			t.Errorf("parseArgs(%v) = %q, want %q", args, got, want)
		}
	}
}

func TestPluginInfoAndSchema(t *testing.T) {
	h := newHarness(t)
	info, err := h.client.GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil || info.Version != "1.2.1" {
		t.Fatalf("GetPluginInfo = %v, %v", info, err)
	}
	s, err := h.client.GetSchema(context.Background(), &pulumirpc.GetSchemaRequest{})
	if err != nil {
		t.Fatalf("GetSchema: %v", err)
	}
	// The schema binds as Pulumi's own code generators and Pulumi YAML bind it, and declares Command's properties.
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(s.Schema), &spec); err != nil {
		t.Fatal(err)
	}
	pkg, diags, err := schema.BindSpec(spec, refuseReferences{}, schema.ValidationOptions{})
	if err != nil || diags.HasErrors() {
		t.Fatalf("BindSpec: %v %v", err, diags)
	}
	command, ok := pkg.GetResource("command:local:Command")
	if !ok || pkg.Name != "command" || pkg.Version.String() != "1.2.1" {
		t.Fatalf("schema = %s", s.Schema)
	}
	var inputs []string
	for _, p := range command.InputProperties {
		inputs = append(inputs, p.Name)
	}
	slices.Sort(inputs)
	want := []string{"addPreviousOutputInEnv", "archivePaths", "assetPaths", "create", "delete", "dir", "environment",
		"interpreter", "logging", "stdin", "triggers", "update"}
	if !slices.Equal(inputs, want) {
		t.Errorf("Command's inputs = %v, want %v", inputs, want)
	}
	if _, ok := pkg.GetFunction("command:local:run"); !ok {
		t.Error("no command:local:run")
	}
}

// refuseReferences is a schema loader for a self-contained schema: it refuses every other package.
type refuseReferences struct{}

func (refuseReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("no package %s", name)
}

func (refuseReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("no package %s", d.Name)
}

func TestCreateCapturesStdoutEnvDirAndLogs(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	id, out, err := h.create(t, resource.PropertyMap{
		"create":      str(`echo "hello $NAME from $(pwd)"; echo oops >&2; cat`),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"NAME": str("x")}),
		"dir":         str(dir),
		"stdin":       str("from-stdin\n"),
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "hello") || len(id) != len("hello")+8 {
		t.Errorf("unexpected id %q", id)
	}
	realDir, _ := filepath.EvalSymlinks(dir)
	wantOut := "hello x from " + realDir + "\nfrom-stdin"
	if got := stringOut(t, out, "stdout"); got != wantOut && got != "hello x from "+dir+"\nfrom-stdin" {
		t.Errorf("stdout = %q, want %q", got, wantOut)
	}
	if got := stringOut(t, out, "stderr"); got != "oops" {
		t.Errorf("stderr = %q", got)
	}
	if got := stringOut(t, out, "create"); !strings.HasPrefix(got, "echo") {
		t.Errorf("inputs not echoed: create = %q", got)
	}
	msgs := strings.Join(h.engine.messages(), "|")
	if !strings.Contains(msgs, "hello x from") || !strings.Contains(msgs, "oops") {
		t.Errorf("output not logged to engine: %q", msgs)
	}
}

func TestDefaultDirIsPluginCwdAndInterpreter(t *testing.T) {
	h := newHarness(t)
	wd, _ := os.Getwd()
	_, out, err := h.create(t, resource.PropertyMap{"create": str("pwd")}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := stringOut(t, out, "stdout"); got != wd {
		t.Errorf("default dir: stdout = %q, want %q", got, wd)
	}
	_, out, err = h.create(t, resource.PropertyMap{
		"create":      str("the-command"),
		"interpreter": resource.NewArrayProperty([]resource.PropertyValue{str("/bin/echo"), str("via")}),
	}, false)
	// The command is appended to the interpreter's argv.
	if err != nil {
		t.Fatal(err)
	}
	if got := stringOut(t, out, "stdout"); got != "via the-command" {
		t.Errorf("interpreter: stdout = %q", got)
	}
}

func TestCreateFailureReportsExitCodeAndStderr(t *testing.T) {
	h := newHarness(t)
	_, _, err := h.create(t, resource.PropertyMap{"create": str("echo bad thing >&2; exit 3")}, false)
	if err == nil {
		t.Fatal("expected failure")
	}
	if !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "bad thing") {
		t.Errorf("error lacks exit code/stderr: %v", err)
	}
}

func TestPreviewDoesNotRun(t *testing.T) {
	h := newHarness(t)
	marker := filepath.Join(t.TempDir(), "ran")
	_, out, err := h.create(t, resource.PropertyMap{"create": str("touch " + marker)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("preview ran the command")
	}
	if !out["stdout"].IsComputed() || !out["stderr"].IsComputed() {
		t.Errorf("stdout/stderr should be unknown in preview: %v", out)
	}
	// Update preview doesn't run either.
	resp, err := h.client.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: testURN, Id: "x", Preview: true,
		Olds: mustMarshal(t, resource.PropertyMap{"create": str("true"), "stdout": str(""), "stderr": str("")}),
		News: mustMarshal(t, resource.PropertyMap{"create": str("touch " + marker)}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("update preview ran the command")
	}
	if !mustUnmarshal(t, resp.Properties)["stdout"].IsComputed() {
		t.Error("update preview stdout should be unknown")
	}
}

func TestUpdateAndDeleteSeePreviousOutput(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	_, olds, err := h.create(t, resource.PropertyMap{
		"create": str("echo first"),
		"delete": str("echo \"delete saw $PULUMI_COMMAND_STDOUT\" >> " + log),
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	news := resource.PropertyMap{
		"create": str("echo first"),
		"update": str("echo \"update saw $PULUMI_COMMAND_STDOUT\""),
		"delete": str("echo \"delete saw $PULUMI_COMMAND_STDOUT\" >> " + log),
	}
	resp, err := h.client.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: testURN, Id: "x", Olds: mustMarshal(t, olds), News: mustMarshal(t, news),
	})
	if err != nil {
		t.Fatal(err)
	}
	state := mustUnmarshal(t, resp.Properties)
	if got := stringOut(t, state, "stdout"); got != "update saw first" {
		t.Errorf("update stdout = %q", got)
	}
	// Without update, the create command re-runs on update; addPreviousOutputInEnv=false hides env.
	news2 := resource.PropertyMap{
		"create":                 str("echo \"create saw [$PULUMI_COMMAND_STDOUT]\""),
		"addPreviousOutputInEnv": resource.NewBoolProperty(false),
	}
	resp, err = h.client.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: testURN, Id: "x", Olds: mustMarshal(t, state), News: mustMarshal(t, news2),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := stringOut(t, mustUnmarshal(t, resp.Properties), "stdout"); got != "create saw []" {
		t.Errorf("update-via-create stdout = %q", got)
	}
	if _, err := h.client.Delete(context.Background(), &pulumirpc.DeleteRequest{
		Urn: testURN, Id: "x", Properties: mustMarshal(t, state),
	}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if strings.TrimSpace(string(b)) != "delete saw update saw first" {
		t.Errorf("delete log = %q", b)
	}
	// Delete failure is reported.
	_, err = h.client.Delete(context.Background(), &pulumirpc.DeleteRequest{
		Urn: testURN, Id: "x", Properties: mustMarshal(t, resource.PropertyMap{"delete": str("exit 7")}),
	})
	if err == nil || !strings.Contains(err.Error(), "exit status 7") {
		t.Errorf("delete failure: %v", err)
	}
}

func TestInvokeRun(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	resp, err := h.client.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: "command:local:run",
		Args: mustMarshal(t, resource.PropertyMap{
			"command":     str("echo run $X; echo e >&2"),
			"environment": resource.NewObjectProperty(resource.PropertyMap{"X": str("1")}),
			"dir":         str(dir),
		}),
	})
	if err != nil || len(resp.Failures) != 0 {
		t.Fatalf("Invoke = %v, %v", resp, err)
	}
	ret := mustUnmarshal(t, resp.Return)
	if stringOut(t, ret, "stdout") != "run 1" || stringOut(t, ret, "stderr") != "e" ||
		stringOut(t, ret, "command") != "echo run $X; echo e >&2" {
		t.Errorf("Invoke return = %v", ret)
	}
	_, err = h.client.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: "command:local:run", Args: mustMarshal(t, resource.PropertyMap{"command": str("exit 4")}),
	})
	if err == nil || !strings.Contains(err.Error(), "exit status 4") {
		t.Errorf("Invoke failure: %v", err)
	}
}
