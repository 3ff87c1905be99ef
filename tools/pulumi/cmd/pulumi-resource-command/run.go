package main

// Input parsing and command execution for the stand-in `command` provider.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fieldError is an input of the wrong type; reported as a CheckFailure.
type fieldError struct{ key, msg string }

func (e *fieldError) Error() string { return fmt.Sprintf("%s: %s", e.key, e.msg) }

// inputs holds the parsed (known, unsecreted) inputs of a Command or of the
// run function. Unknown values are treated as absent; they only occur in
// previews, where nothing is run.
type inputs struct {
	create, update, delete, command                         *string
	createSecret, updateSecret, deleteSecret, commandSecret bool

	dir         *string
	environment map[string]string
	interpreter []string
	stdin       *string
	addPrevious bool // addPreviousOutputInEnv, default true
	logging     string
}

// unsecret strips secret markers, recursively.
func unsecret(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return unsecret(v.SecretValue().Element)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = unsecret(e)
		}
		return resource.NewArrayProperty(out)
	case v.IsObject():
		obj := v.ObjectValue()
		out := make(resource.PropertyMap, len(obj))
		for k, e := range obj {
			out[k] = unsecret(e)
		}
		return resource.NewObjectProperty(out)
	default:
		return v
	}
}

// lookup returns the unsecreted value of key, whether it was secret, and
// whether it is present and known.
func lookup(pm resource.PropertyMap, key resource.PropertyKey) (resource.PropertyValue, bool, bool) {
	v, ok := pm[key]
	if !ok || v.IsNull() || v.ContainsUnknowns() {
		return resource.PropertyValue{}, false, false
	}
	return unsecret(v), v.ContainsSecrets(), true
}

func optString(pm resource.PropertyMap, key resource.PropertyKey) (*string, bool, error) {
	v, secret, ok := lookup(pm, key)
	if !ok {
		return nil, false, nil
	}
	if !v.IsString() {
		return nil, false, &fieldError{string(key), fmt.Sprintf("expected a string, got %s", v.TypeString())}
	}
	s := v.StringValue()
	return &s, secret, nil
}

func parseInputs(pm resource.PropertyMap) (*inputs, error) {
	in := &inputs{addPrevious: true}
	var err error
	for _, f := range []struct {
		key    resource.PropertyKey
		dst    **string
		secret *bool
	}{
		{"create", &in.create, &in.createSecret},
		{"update", &in.update, &in.updateSecret},
		{"delete", &in.delete, &in.deleteSecret},
		{"command", &in.command, &in.commandSecret},
		{"dir", &in.dir, nil},
		{"stdin", &in.stdin, nil},
	} {
		var secret bool
		if *f.dst, secret, err = optString(pm, f.key); err != nil {
			return nil, err
		}
		if f.secret != nil {
			*f.secret = secret
		}
	}

	if v, _, ok := lookup(pm, "environment"); ok {
		if !v.IsObject() {
			return nil, &fieldError{"environment", "expected a map of strings, got " + v.TypeString()}
		}
		in.environment = map[string]string{}
		for k, e := range v.ObjectValue() {
			if !e.IsString() {
				return nil, &fieldError{"environment." + string(k), "expected a string, got " + e.TypeString()}
			}
			in.environment[string(k)] = e.StringValue()
		}
	}

	if v, _, ok := lookup(pm, "interpreter"); ok {
		if !v.IsArray() {
			return nil, &fieldError{"interpreter", "expected a list of strings, got " + v.TypeString()}
		}
		for i, e := range v.ArrayValue() {
			if !e.IsString() {
				return nil, &fieldError{fmt.Sprintf("interpreter[%d]", i), "expected a string, got " + e.TypeString()}
			}
			in.interpreter = append(in.interpreter, e.StringValue())
		}
	}

	if v, _, ok := lookup(pm, "addPreviousOutputInEnv"); ok {
		if !v.IsBool() {
			return nil, &fieldError{"addPreviousOutputInEnv", "expected a boolean, got " + v.TypeString()}
		}
		in.addPrevious = v.BoolValue()
	}

	if l, _, err := optString(pm, "logging"); err != nil {
		return nil, err
	} else if l != nil {
		switch *l {
		case "stdout", "stderr", "stdoutAndStderr", "none":
			in.logging = *l
		default:
			return nil, &fieldError{"logging",
				fmt.Sprintf("invalid value %q (expected stdout, stderr, stdoutAndStderr or none)", *l)}
		}
	}
	return in, nil
}

func (in *inputs) logStdout() bool {
	return in.logging == "" || in.logging == "stdout" || in.logging == "stdoutAndStderr"
}

func (in *inputs) logStderr() bool {
	return in.logging == "" || in.logging == "stderr" || in.logging == "stdoutAndStderr"
}

// lineLogger forwards complete lines written to it to the engine as ephemeral
// status messages (shown in the progress display, like the real provider).
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
		l.emit(string(l.buf))
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

// runCommand runs command with the interpreter (default `/bin/sh -c`), in dir
// (default: the plugin's working directory, which the engine sets to the
// project directory), with the plugin's environment plus `environment` plus,
// when addPreviousOutputInEnv is true/unset and they are non-empty,
// PULUMI_COMMAND_STDOUT/PULUMI_COMMAND_STDERR from the previous run. It returns
// stdout and stderr with one trailing newline trimmed.
func (p *commandProvider) runCommand(
	ctx context.Context, urn resource.URN, command string, commandSecret bool, in *inputs,
	prevStdout, prevStderr string,
) (string, string, error) {
	var args []string
	if len(in.interpreter) > 0 {
		args = append(args, in.interpreter...)
	} else if runtime.GOOS == "windows" {
		args = []string{"cmd", "/C"}
	} else {
		args = []string{"/bin/sh", "-c"}
	}
	args = append(args, command)

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if in.dir != nil {
		cmd.Dir = *in.dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return "", "", err
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
	if in.addPrevious {
		if prevStdout != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+prevStdout)
		}
		if prevStderr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+prevStderr)
		}
	}
	if in.stdin != nil && *in.stdin != "" {
		cmd.Stdin = strings.NewReader(*in.stdin)
	}

	var stdout, stderr bytes.Buffer
	var combined lockedBuffer
	var logMu sync.Mutex
	var loggers []*lineLogger
	outW := []interface{ Write([]byte) (int, error) }{&stdout, &combined}
	errW := []interface{ Write([]byte) (int, error) }{&stderr, &combined}
	if engine := p.engineClient(); engine != nil {
		emit := func(line string) {
			// Ephemeral INFO messages are what the real provider's LogStatus sends.
			_, _ = engine.Log(ctx, &pulumirpc.LogRequest{
				Severity:  pulumirpc.LogSeverity_INFO,
				Message:   strings.ToValidUTF8(line, "\uFFFD"),
				Urn:       string(urn),
				Ephemeral: true,
			})
		}
		if in.logStdout() {
			l := &lineLogger{mu: &logMu, emit: emit}
			loggers = append(loggers, l)
			outW = append(outW, l)
		}
		if in.logStderr() {
			l := &lineLogger{mu: &logMu, emit: emit}
			loggers = append(loggers, l)
			errW = append(errW, l)
		}
	}
	cmd.Stdout = multiWriter(outW)
	cmd.Stderr = multiWriter(errW)

	err := cmd.Run()
	for _, l := range loggers {
		l.flush()
	}
	if err != nil {
		shown := command
		if commandSecret {
			shown = "[secret]"
		}
		return "", "", fmt.Errorf("%w: running %q:\n%s", err, shown, combined.String())
	}
	return strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n"), nil
}

type writers []interface{ Write([]byte) (int, error) }

func (ws writers) Write(b []byte) (int, error) {
	for _, w := range ws {
		if _, err := w.Write(b); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

func multiWriter(ws []interface{ Write([]byte) (int, error) }) writers { return writers(ws) }
