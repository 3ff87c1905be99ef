package main

// Running one command the way pulumi-command 1.2.1's local provider does.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// result is what a command adds to its inputs: stdout, stderr, and assets and archive (null
// unless assetPaths/archivePaths were given, now or by an earlier run of the resource).
type result struct {
	stdout, stderr  string
	assets, archive resource.PropertyValue
}

// properties returns the outputs of r, to be merged into the inputs.
func (r result) properties() resource.PropertyMap {
	out := resource.PropertyMap{
		"stdout": resource.NewStringProperty(r.stdout),
		"stderr": resource.NewStringProperty(r.stderr),
	}
	if !r.assets.IsNull() {
		out["assets"] = r.assets
	}
	if !r.archive.IsNull() {
		out["archive"] = r.archive
	}
	return out
}

// logsStdout and logsStderr follow upstream: no `logging` logs both, and a value other than the
// four documented ones logs neither (upstream does not validate it).
func (in *inputs) logsStdout() bool {
	return in.logging == nil || *in.logging == "stdout" || *in.logging == "stdoutAndStderr"
}

func (in *inputs) logsStderr() bool {
	return in.logging == nil || *in.logging == "stderr" || *in.logging == "stdoutAndStderr"
}

// lineLogger sends each complete line written to it to the engine as an ephemeral status message,
// what upstream's logger does (the progress display shows it next to the resource).
type lineLogger struct {
	mu   *sync.Mutex
	buf  []byte
	emit func(string)
}

func (l *lineLogger) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(strings.TrimSuffix(string(l.buf[:i]), "\r"))
		l.buf = l.buf[i+1:]
	}
	return len(b), nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(strings.TrimSuffix(string(l.buf), "\r"))
		l.buf = nil
	}
}

// lockedBuffer is a bytes.Buffer shared by the stdout and stderr copiers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runCommand runs command with the interpreter (default `/bin/sh -c`), in dir (default: the
// plugin's working directory, which the engine sets to the project directory), with the plugin's
// environment plus `environment` plus, unless addPreviousOutputInEnv is false,
// PULUMI_COMMAND_STDOUT/PULUMI_COMMAND_STDERR holding prev's non-empty outputs. A failure reads
// `<exec error>: running "<command>":` and the command's combined output; like upstream, the
// command is shown as given, secret or not. After a success it returns prev with the new stdout
// and stderr and, when assetPaths/archivePaths are given, the files they select.
func (p *commandProvider) runCommand(
	ctx context.Context, urn resource.URN, command string, in *inputs, prev result,
) (result, error) {
	args := in.interpreter
	if len(args) == 0 {
		args = []string{"/bin/sh", "-c"}
		if runtime.GOOS == "windows" {
			args = []string{"cmd", "/C"}
		}
	}
	args = append(append([]string{}, args...), command)

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if in.dir != nil {
		cmd.Dir = *in.dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return result{}, err
		}
		cmd.Dir = wd
	}

	cmd.Env = os.Environ()
	keys := make([]string, 0, len(in.environment))
	for k := range in.environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+in.environment[k])
	}
	if in.addPreviousOutputInEnv == nil || *in.addPreviousOutputInEnv {
		if prev.stdout != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+prev.stdout)
		}
		if prev.stderr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+prev.stderr)
		}
	}
	if in.stdin != nil && *in.stdin != "" {
		cmd.Stdin = strings.NewReader(*in.stdin)
	}

	var stdout, stderr bytes.Buffer
	var combined lockedBuffer
	var logMu sync.Mutex
	var loggers []*lineLogger
	outW := []io.Writer{&stdout, &combined}
	errW := []io.Writer{&stderr, &combined}
	if engine := p.engineClient(); engine != nil {
		emit := func(line string) {
			_, _ = engine.Log(ctx, &pulumirpc.LogRequest{
				Severity:  pulumirpc.LogSeverity_INFO,
				Message:   strings.ToValidUTF8(line, "\uFFFD"),
				Urn:       string(urn),
				Ephemeral: true,
			})
		}
		if in.logsStdout() {
			l := &lineLogger{mu: &logMu, emit: emit}
			loggers = append(loggers, l)
			outW = append(outW, l)
		}
		if in.logsStderr() {
			l := &lineLogger{mu: &logMu, emit: emit}
			loggers = append(loggers, l)
			errW = append(errW, l)
		}
	}
	cmd.Stdout = io.MultiWriter(outW...)
	cmd.Stderr = io.MultiWriter(errW...)

	err := cmd.Run()
	for _, l := range loggers {
		l.flush()
	}
	if err != nil {
		return result{}, fmt.Errorf("%w: running %q:\n%s", err, command, combined.String())
	}

	res := prev
	if in.assetPaths != nil {
		assets, err := globAssets(cmd.Dir, *in.assetPaths)
		if err != nil {
			return result{}, err
		}
		res.assets = resource.NewObjectProperty(assets)
	}
	if in.archivePaths != nil {
		archive, err := globArchive(cmd.Dir, *in.archivePaths)
		if err != nil {
			return result{}, err
		}
		res.archive = resource.NewArchiveProperty(archive)
	}
	res.stdout = strings.TrimSuffix(stdout.String(), "\n")
	res.stderr = strings.TrimSuffix(stderr.String(), "\n")
	return res, nil
}
