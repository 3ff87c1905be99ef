package main

// Behaviour of pulumi-command 1.2.1 (read from its source) that a user would notice if the stand-in
// differed: secrecy, messages, assets, triggers, logging, previews, check failures, cancellation.

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func strs(ss ...string) resource.PropertyValue {
	out := make([]resource.PropertyValue, len(ss))
	for i, s := range ss {
		out[i] = str(s)
	}
	return resource.NewArrayProperty(out)
}

func (h *harness) update(t *testing.T, olds, news resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	t.Helper()
	resp, err := h.client.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: testURN, Id: "x", Olds: mustMarshal(t, olds), News: mustMarshal(t, news), Preview: preview,
	})
	if err != nil {
		return nil, err
	}
	return mustUnmarshal(t, resp.Properties), nil
}

func (h *harness) diff(t *testing.T, oldInputs, news resource.PropertyMap) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := h.client.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: testURN, Id: "x", Olds: mustMarshal(t, oldInputs), OldInputs: mustMarshal(t, oldInputs),
		News: mustMarshal(t, news),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (h *harness) check(t *testing.T, news resource.PropertyMap) []string {
	t.Helper()
	resp, err := h.client.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: mustMarshal(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range resp.Failures {
		out = append(out, f.Property+": "+f.Reason)
	}
	return out
}

// Upstream keeps each input's secretness on its output, but stdout and stderr are plain unless the
// program lists them in additionalSecretOutputs (which the engine applies).
func TestSecretInputsDoNotMakeStdoutSecret(t *testing.T) {
	h := newHarness(t)
	props := resource.PropertyMap{
		"create":      str("echo $TOKEN; echo e >&2"),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"TOKEN": resource.MakeSecret(str("s3cret"))}),
	}
	_, out, err := h.create(t, props, false)
	if err != nil {
		t.Fatal(err)
	}
	if out["stdout"].IsSecret() || out["stderr"].IsSecret() || stringOut(t, out, "stdout") != "s3cret" {
		t.Errorf("stdout/stderr must be plain strings: %v", out)
	}
	if !out["environment"].ObjectValue()["TOKEN"].IsSecret() {
		t.Errorf("environment.TOKEN must stay secret: %v", out["environment"])
	}
	// A secret command stays secret as an output too; its stdout does not.
	_, out, err = h.create(t, resource.PropertyMap{"create": resource.MakeSecret(str("echo hi"))}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !out["create"].IsSecret() || out["stdout"].IsSecret() {
		t.Errorf("create secret, stdout plain expected: %v", out)
	}
	// The same holds for the run function.
	resp, err := h.client.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: runFunction, Args: mustMarshal(t, resource.PropertyMap{"command": resource.MakeSecret(str("echo run"))}),
	})
	if err != nil {
		t.Fatal(err)
	}
	ret := mustUnmarshal(t, resp.Return)
	if !ret["command"].IsSecret() || ret["stdout"].IsSecret() || stringOut(t, ret, "stdout") != "run" {
		t.Errorf("run: command secret, stdout plain expected: %v", ret)
	}
}

// The failure message names the command as given, even a secret one, and ends with the output.
func TestFailureMessageShowsTheCommand(t *testing.T) {
	h := newHarness(t)
	_, _, err := h.create(t, resource.PropertyMap{"create": resource.MakeSecret(str("echo out; echo err >&2; exit 3"))}, false)
	if err == nil {
		t.Fatal("expected a failure")
	}
	msg := err.Error()
	if !strings.Contains(msg, "exit status 3: running \"echo out; echo err >&2; exit 3\":\n") ||
		!strings.Contains(msg, "out\n") || !strings.Contains(msg, "err\n") {
		t.Errorf("message = %q", msg)
	}
	_, _, err = h.create(t, resource.PropertyMap{"create": str("true"), "dir": str("/does/not/exist")}, false)
	if err == nil || !strings.Contains(err.Error(), "/does/not/exist") || !strings.Contains(err.Error(), `running "true":`) {
		t.Errorf("missing dir: %v", err)
	}
}

// While a command runs, the engine is sent its output lines and nothing else: not the command.
func TestPrintsOnlyTheOutputWhileRunning(t *testing.T) {
	h := newHarness(t)
	if _, _, err := h.create(t, resource.PropertyMap{"create": str("echo one; echo two >&2; printf three")}, false); err != nil {
		t.Fatal(err)
	}
	got := h.engine.messages()
	sort.Strings(got)
	if strings.Join(got, "|") != "one|three|two" {
		t.Errorf("messages = %q", got)
	}
	h.engine.mu.Lock()
	defer h.engine.mu.Unlock()
	for _, l := range h.engine.logs {
		if !l.Ephemeral || l.Severity != pulumirpc.LogSeverity_INFO || l.Urn != testURN {
			t.Errorf("log should be an ephemeral info status of the resource: %v", l)
		}
	}
}

func TestLoggingChoosesTheStreams(t *testing.T) {
	for logging, want := range map[string]string{"stdout": "o", "stderr": "e", "stdoutAndStderr": "e|o", "none": "", "bogus": ""} {
		h := newHarness(t)
		props := resource.PropertyMap{"create": str("echo o; echo e >&2"), "logging": str(logging)}
		if f := h.check(t, props); len(f) != 0 {
			t.Errorf("logging %q: upstream accepts any string, got failures %v", logging, f)
		}
		if _, _, err := h.create(t, props, false); err != nil {
			t.Fatal(err)
		}
		got := h.engine.messages()
		sort.Strings(got)
		if strings.Join(got, "|") != want {
			t.Errorf("logging %q: messages = %q, want %q", logging, got, want)
		}
	}
}

func TestEnvironmentOverridesThePluginsOwn(t *testing.T) {
	h := newHarness(t)
	t.Setenv("KOODRIVE_TEST_VAR", "from-plugin")
	_, out, err := h.create(t, resource.PropertyMap{
		"create":      str("echo $KOODRIVE_TEST_VAR"),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"KOODRIVE_TEST_VAR": str("from-input")}),
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := stringOut(t, out, "stdout"); got != "from-input" {
		t.Errorf("stdout = %q", got)
	}
}

func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func keysOf(pm resource.PropertyMap) string {
	var ks []string
	for k := range pm {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// The example from upstream's documentation of assetPaths: ** crosses folders, * does not, ! excludes.
func TestAssetPathsAndArchivePaths(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	writeFiles(t, dir, "assets/logos/logo.svg", "src/index.js", "src/secret.js", "top.js")
	rules := strs("assets/**", "src/**.js", "*.js", "!**secret.*")
	_, out, err := h.create(t, resource.PropertyMap{
		"create": str("true"), "dir": str(dir), "assetPaths": rules, "archivePaths": strs("src/*"),
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	assets := out["assets"].ObjectValue()
	if got := keysOf(assets); got != "assets/logos/logo.svg,src/index.js,top.js" {
		t.Errorf("assets = %s", got)
	}
	if a := assets["src/index.js"].AssetValue(); a.Path != filepath.Join(dir, "src/index.js") || a.Hash == "" {
		t.Errorf("asset = %+v", a)
	}
	archive := out["archive"].ArchiveValue()
	var members []string
	for k := range archive.Assets {
		members = append(members, k)
	}
	sort.Strings(members)
	if strings.Join(members, ",") != "src/index.js,src/secret.js" {
		t.Errorf("archive members = %v", members)
	}
	// Without assetPaths, no assets output.
	_, out, err = h.create(t, resource.PropertyMap{"create": str("true"), "dir": str(dir)}, false)
	if err != nil || out.HasValue("assets") || out.HasValue("archive") {
		t.Errorf("no assetPaths: %v, %v", out, err)
	}
	// An update that runs no command keeps the recorded assets, as upstream does.
	state := resource.PropertyMap{"dir": str(dir), "stdout": str(""), "stderr": str(""),
		"assets": resource.NewObjectProperty(assets)}
	out, err = h.update(t, state, resource.PropertyMap{"dir": str(dir), "stdin": str("x")}, false)
	if err != nil || keysOf(out["assets"].ObjectValue()) != keysOf(assets) {
		t.Errorf("update kept assets: %v, %v", out, err)
	}
	// A bad glob fails the command's step with the glob library's message.
	_, _, err = h.create(t, resource.PropertyMap{"create": str("true"), "dir": str(dir), "assetPaths": strs("[")}, false)
	if err == nil {
		t.Error("a bad glob should fail")
	}
}

func TestTriggersDiff(t *testing.T) {
	h := newHarness(t)
	base := resource.PropertyMap{"create": str("echo a"), "triggers": strs("1")}
	// A changed trigger value is an update of triggers[0]; the SDK's replaceOnChanges
	// ["triggers[*]"] turns it into a replacement in the engine.
	r := h.diff(t, base, resource.PropertyMap{"create": str("echo a"), "triggers": strs("2")})
	if r.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(r.Replaces) != 0 ||
		r.DetailedDiff["triggers[0]"].GetKind() != pulumirpc.PropertyDiff_UPDATE || strings.Join(r.Diffs, ",") != "triggers" {
		t.Errorf("changed trigger: %v", r)
	}
	// Adding or removing triggers as a whole replaces.
	r = h.diff(t, resource.PropertyMap{"create": str("echo a")}, base)
	if strings.Join(r.Replaces, ",") != "triggers" || r.DetailedDiff["triggers"].GetKind() != pulumirpc.PropertyDiff_ADD_REPLACE {
		t.Errorf("added triggers: %v", r)
	}
	r = h.diff(t, base, resource.PropertyMap{"create": str("echo a")})
	if r.DetailedDiff["triggers"].GetKind() != pulumirpc.PropertyDiff_DELETE_REPLACE {
		t.Errorf("removed triggers: %v", r)
	}
}

func TestDiffComparesEveryValue(t *testing.T) {
	h := newHarness(t)
	base := resource.PropertyMap{"create": str("echo a"), "environment": resource.NewObjectProperty(
		resource.PropertyMap{"A": str("1")})}
	if r := h.diff(t, base, base.Copy()); r.Changes != pulumirpc.DiffResponse_DIFF_NONE || len(r.DetailedDiff) != 0 {
		t.Errorf("no change: %v", r)
	}
	r := h.diff(t, base, resource.PropertyMap{"create": str("echo b"), "environment": base["environment"]})
	if r.DetailedDiff["create"].GetKind() != pulumirpc.PropertyDiff_UPDATE || len(r.Replaces) != 0 {
		t.Errorf("create change: %v", r)
	}
	r = h.diff(t, base, resource.PropertyMap{"create": str("echo a"), "environment": resource.NewObjectProperty(
		resource.PropertyMap{"A": str("2")})})
	if r.DetailedDiff["environment.A"].GetKind() != pulumirpc.PropertyDiff_UPDATE || strings.Join(r.Diffs, ",") != "environment" {
		t.Errorf("nested change: %v", r)
	}
	// A value that only became secret is a change, so the command runs again.
	r = h.diff(t, base, resource.PropertyMap{"create": resource.MakeSecret(str("echo a")), "environment": base["environment"]})
	if r.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Errorf("secret-only change: %v", r)
	}
	// An unknown new value is a change.
	r = h.diff(t, base, resource.PropertyMap{"create": resource.MakeComputed(str("")), "environment": base["environment"]})
	if r.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Errorf("unknown change: %v", r)
	}
	// ignoreChanges keeps the recorded value.
	resp, err := h.client.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: testURN, Id: "x", Olds: mustMarshal(t, base), OldInputs: mustMarshal(t, base),
		News: mustMarshal(t, resource.PropertyMap{"create": str("echo z"), "environment": base["environment"]}), IgnoreChanges: []string{"create"},
	})
	if err != nil || resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("ignoreChanges: %v, %v", resp, err)
	}
}

func TestUpdatePreview(t *testing.T) {
	h := newHarness(t)
	state := resource.PropertyMap{"create": str("echo a"), "stdout": str("a"), "stderr": str("")}
	out, err := h.update(t, state, resource.PropertyMap{"create": str("echo b")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !out["stdout"].IsComputed() || !out["stderr"].IsComputed() || stringOut(t, out, "create") != "echo b" {
		t.Errorf("changed input: %v", out)
	}
	// Upstream only compares inputs the state records, so a newly added one previews the old stdout.
	out, err = h.update(t, state, resource.PropertyMap{"create": str("echo a"), "stdin": str("x")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if out["stdout"].IsComputed() || stringOut(t, out, "stdout") != "a" {
		t.Errorf("added input: %v", out)
	}
}

func TestCheckFailuresMatchUpstream(t *testing.T) {
	h := newHarness(t)
	got := h.check(t, resource.PropertyMap{
		"create":      resource.NewNumberProperty(1),
		"interpreter": resource.NewArrayProperty([]resource.PropertyValue{str("sh"), resource.NewBoolProperty(true)}),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"A": resource.NewNumberProperty(2)}),
		"dir":         resource.NewObjectProperty(resource.PropertyMap{}),
		"bogus":       str("x"),
	})
	want := []string{
		"create: Field 'create' on 'local.CommandInputs' must be a 'string'; got 'float64' instead",
		"interpreter[1]: Field 'interpreter[1]' on 'local.CommandInputs' must be a 'string'; got 'bool' instead",
		"dir: An error occurred decoding 'CommandInputs.dir': Cannot decode Object{} to type string; " +
			"it isn't a struct, and no custom decoder exists",
		"environment[A] value: Field 'environment[A] value' on 'local.CommandInputs' must be a 'string'; got 'float64' instead",
		"bogus: Unrecognized field 'bogus' on 'local.CommandInputs'",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f := h.check(t, resource.PropertyMap{"create": resource.MakeComputed(str(""))}); len(f) != 0 {
		t.Errorf("unknown inputs are not checked: %v", f)
	}
	resp, err := h.client.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: runFunction, Args: mustMarshal(t, resource.PropertyMap{"dir": str("/")}),
	})
	if err != nil || len(resp.Failures) != 1 || resp.Failures[0].Reason != "Missing required field 'command' on 'local.RunInputs'" {
		t.Errorf("run without command: %v, %v", resp, err)
	}
}

// Cancel kills what runs, and later commands fail at once.
func TestCancelStopsCommands(t *testing.T) {
	h := newHarness(t)
	done := make(chan error, 1)
	go func() {
		_, _, err := h.create(t, resource.PropertyMap{"create": str("exec sleep 60")}, false)
		done <- err
	}()
	// Cancel only once the command runs: before that, it would fail without starting.
	for {
		h.prov.mu.Lock()
		n := len(h.prov.running)
		h.prov.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := h.client.Cancel(context.Background(), &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), `running "exec sleep 60"`) {
		t.Errorf("cancelled command: %v", err)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	if _, _, err := h.create(t, resource.PropertyMap{"create": str("touch " + marker)}, false); err == nil {
		t.Error("a command after Cancel should fail")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a command after Cancel ran")
	}
}

func TestTimeoutKillsTheCommand(t *testing.T) {
	h := newHarness(t)
	resp, err := h.client.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: testURN, Properties: mustMarshal(t, resource.PropertyMap{"create": str("exec sleep 60")}), Timeout: 1,
	})
	if err == nil || !strings.Contains(err.Error(), "signal: killed") {
		t.Errorf("timeout: %v, %v", resp, err)
	}
}
