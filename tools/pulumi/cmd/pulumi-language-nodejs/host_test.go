package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fakeNode is a `node` for Run to launch: it answers the runner lookup (`node -e …`), records its
// arguments, its working directory and $PULUMI_NODEJS_TYPESCRIPT in $ARGS_FILE, and then, as $MODE says, exits, or waits
// for a SIGINT to finish gracefully (graceful) or ignores it (stubborn).
const fakeNode = `#!/bin/sh
if [ "$1" = "-e" ]; then printf '%s' /fake/runner; exit 0; fi
{ printf '%s\n' "$@"; echo "CWD=$(pwd -P)"; echo "TS=$PULUMI_NODEJS_TYPESCRIPT"; } > "$ARGS_FILE"
case "$MODE" in
graceful) trap 'echo interrupted > "$MARK"; sleep 0.2; echo finished >> "$MARK"; exit 0' INT ;;
stubborn) trap '' INT ;;
*) exit 0 ;;
esac
echo ready > "$READY"
while :; do sleep 0.05; done
`

type runFixture struct {
	dir, args, mark, ready string
}

func newRunFixture(t *testing.T, mode string) runFixture {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "node"), []byte(fakeNode), 0o755); err != nil {
		t.Fatal(err)
	}
	f := runFixture{dir: dir, args: filepath.Join(dir, "args"), mark: filepath.Join(dir, "mark"), ready: filepath.Join(dir, "ready")}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("MODE", mode)
	t.Setenv("ARGS_FILE", f.args)
	t.Setenv("MARK", f.mark)
	t.Setenv("READY", f.ready)
	return f
}

func (f runFixture) request(t *testing.T, options map[string]any) *pulumirpc.RunRequest {
	t.Helper()
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.RunRequest{
		Project: "p", Stack: "s", Pwd: f.dir, MonitorAddress: "127.0.0.1:1",
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: f.dir, EntryPoint: ".", Options: opts},
	}
}

func (f runFixture) recorded(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(f.args)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestNodeargsAreSplitLikeAShell(t *testing.T) {
	f := newRunFixture(t, "")
	resp, err := newHost("").Run(context.Background(), f.request(t, map[string]any{
		"nodeargs": `--max-old-space-size=4096 --title "my program" --require=a\ b.js`,
	}))
	if err != nil || resp.Error != "" {
		t.Fatalf("Run = %v, %v", resp, err)
	}
	got := f.recorded(t)
	want := []string{"--max-old-space-size=4096", "--title", "my program", "--require=a b.js", "/fake/runner"}
	if strings.Join(got[:len(want)], "|") != strings.Join(want, "|") {
		t.Errorf("node argv = %q", got)
	}
	resp, err = newHost("").Run(context.Background(), f.request(t, map[string]any{"nodeargs": `--title "unclosed`}))
	if err != nil || resp.Error == "" {
		t.Errorf("an unclosed quote should fail the run: %v, %v", resp, err)
	}
}

// With `main: src/` the engine's request names the project folder as Pwd and <project>/src as the
// program directory; upstream's host passes the program directory as the runner's --pwd, so the
// program runs (process.cwd()) in src/, and the entry point stays relative to it.
func TestPwdIsTheProgramDirectory(t *testing.T) {
	f := newRunFixture(t, "")
	program := filepath.Join(f.dir, "src")
	if err := os.Mkdir(program, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, entry := range []string{".", "main.js"} {
		req := f.request(t, map[string]any{})
		req.Info.RootDirectory = f.dir
		req.Info.ProgramDirectory = program
		req.Info.EntryPoint = entry
		resp, err := newHost("").Run(context.Background(), req)
		if err != nil || resp.Error != "" {
			t.Fatalf("Run = %v, %v", resp, err)
		}
		got := f.recorded(t)
		if !slices.Contains(got, "--pwd="+program) || slices.Contains(got, "--pwd="+f.dir) {
			t.Errorf("entry %s: node argv = %q, want --pwd=%s", entry, got, program)
		}
		if got[len(got)-3] != entry {
			t.Errorf("node argv = %q, want the entry point %q last", got, entry)
		}
		if wd, _ := filepath.EvalSymlinks(program); got[len(got)-2] != "CWD="+wd {
			t.Errorf("node ran in %q, want %s", got[len(got)-2], wd)
		}
	}
}

func TestTypescriptOption(t *testing.T) {
	f := newRunFixture(t, "")
	for _, c := range []struct {
		value any
		want  string
	}{{nil, "TS=true"}, {true, "TS=true"}, {false, "TS="}} {
		options := map[string]any{}
		if c.value != nil {
			options["typescript"] = c.value
		}
		resp, err := newHost("").Run(context.Background(), f.request(t, options))
		if err != nil || resp.Error != "" {
			t.Fatalf("Run = %v, %v", resp, err)
		}
		if got := f.recorded(t); got[len(got)-1] != c.want {
			t.Errorf("typescript %v: %q, want %q", c.value, got[len(got)-1], c.want)
		}
	}
	// Anything but a boolean is refused with upstream's message, before the program starts.
	os.Remove(f.args)
	resp, err := newHost("").Run(context.Background(), f.request(t, map[string]any{"typescript": "false"}))
	if err != nil || resp.Error != "typescript option must be a boolean" {
		t.Errorf("Run = %v, %v", resp, err)
	}
	if _, err := os.Stat(f.args); err == nil {
		t.Error("the program ran despite the bad option")
	}
	_, err = newHost("").About(context.Background(), &pulumirpc.AboutRequest{Info: f.request(t, map[string]any{"typescript": 1}).Info})
	if err == nil || err.Error() != "failed to parse options: typescript option must be a boolean" {
		t.Errorf("About: %v", err)
	}
}

// runUntilReady starts Run in the background and returns once the program is waiting.
func runUntilReady(t *testing.T, h *host, f runFixture) <-chan *pulumirpc.RunResponse {
	t.Helper()
	done := make(chan *pulumirpc.RunResponse, 1)
	go func() {
		resp, err := h.Run(context.Background(), f.request(t, nil))
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	for {
		if _, err := os.Stat(f.ready); err == nil {
			return done
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cancelledRun runs a program as mode says, sends Cancel once it is waiting, and returns what Run
// answered.
func cancelledRun(t *testing.T, mode string) (runFixture, *host, *pulumirpc.RunResponse) {
	t.Helper()
	f := newRunFixture(t, mode)
	h := newHost("")
	done := runUntilReady(t, h, f)
	if _, err := h.Cancel(context.Background(), &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}
	return f, h, <-done
}

// Cancel sends the program a SIGINT and waits for it to finish its clean-up; later runs fail.
func TestCancelInterruptsAndWaits(t *testing.T) {
	f, h, resp := cancelledRun(t, "graceful")
	// Go's exec, which upstream uses the same way, reports a cancelled command as such even when it
	// exits 0.
	if resp.Error != "Problem executing program (could not run language executor): context canceled" {
		t.Errorf("a program that exits 0 on SIGINT: %v", resp)
	}
	if b, _ := os.ReadFile(f.mark); string(b) != "interrupted\nfinished\n" {
		t.Errorf("the program was not left to finish after its SIGINT: %q", b)
	}
	resp, err := h.Run(context.Background(), f.request(t, nil))
	if err != nil || !strings.Contains(resp.Error, "context canceled") {
		t.Errorf("Run after Cancel = %v, %v", resp, err)
	}
}

// A program that ignores the SIGINT is killed once the grace period is over.
func TestCancelKillsAfterTheGracePeriod(t *testing.T) {
	grace := cancelGrace
	cancelGrace = 100 * time.Millisecond
	t.Cleanup(func() { cancelGrace = grace })
	if _, _, resp := cancelledRun(t, "stubborn"); resp.Error != "Program exited with non-zero exit code: -1" {
		t.Errorf("Run = %v", resp)
	}
}
