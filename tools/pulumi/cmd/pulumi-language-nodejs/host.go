package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// host implements the parts of pulumirpc.LanguageRuntimeServer that the
// engine needs to run Node.js programs and Node.js plugins (policy packs among
// them, see RunPlugin). Everything else (code generation, templates, packing)
// answers Unimplemented via the embedded type, which the engine reports as "not supported".
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu         sync.Mutex
	engineAddr string

	cancelCtx context.Context // done once the engine sends Cancel
	cancel    context.CancelFunc
}

func newHost(engineAddr string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{engineAddr: engineAddr, cancelCtx: ctx, cancel: cancel}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddr
}

// trace appends one line per RPC to the file named by
// PULUMI_KOODRIVE_LANGHOST_TRACE, if set. Our stdout and stderr belong to the
// engine (it shows them to the user), so debugging output goes to a file.
func trace(format string, args ...any) {
	path := os.Getenv("PULUMI_KOODRIVE_LANGHOST_TRACE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "[pid %d] "+format+"\n", append([]any{os.Getpid()}, args...)...)
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	trace("Handshake engine=%s root=%s program=%s",
		req.GetEngineAddress(), req.GetRootDirectory(), req.GetProgramDirectory())
	if addr := req.GetEngineAddress(); addr != "" {
		h.mu.Lock()
		h.engineAddr = addr
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	trace("GetPluginInfo")
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir := programDir(req.GetInfo(), "")
	trace("GetRequiredPackages dir=%s", dir)
	pkgs, err := pulumiPackages(dir)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, p := range pkgs {
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Name: p.Name, Kind: "resource", Version: p.Version, Server: p.Server,
		})
	}
	return resp, nil
}

func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	trace("GetProgramDependencies dir=%s", dir)
	if _, err := parseOptions(req.GetInfo().GetOptions().AsMap()); err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	deps, err := programDependencies(dir)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	trace("About")
	if _, err := parseOptions(req.GetInfo().GetOptions().AsMap()); err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("could not find `node` on PATH; install Node.js 22 or newer")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running `node --version`: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "pulumi-koodrive stand-in " + version},
	}, nil
}

// InstallDependencies runs `npm install` in the program directory (used by
// `pulumi install` and `pulumi new`). Output is streamed back to the engine,
// which shows it to the user.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	trace("InstallDependencies dir=%s", dir)
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return fmt.Errorf("failed to parse options: %w", err)
	}
	if pm := opts.packagemanager; pm != "auto" && pm != "npm" {
		return fmt.Errorf("packagemanager %q: this stand-in language host installs with npm only; "+
			"install the dependencies with %s yourself, or use Pulumi's own CLI", pm, pm)
	}
	if _, err := os.Stat(dir + string(os.PathSeparator) + "package.json"); err != nil {
		return nil // nothing to install
	}
	cmd := exec.Command("npm", "install")
	cmd.Dir = dir
	cmd.Stdout = streamWriter{stream, false}
	cmd.Stderr = streamWriter{stream, true}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("`npm install` in %s failed: %w", dir, err)
	}
	return nil
}

// streamWriter forwards npm's output to an InstallDependencies stream.
type streamWriter struct {
	stream pulumirpc.LanguageRuntime_InstallDependenciesServer
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	b := append([]byte(nil), p...)
	msg := &pulumirpc.InstallDependenciesResponse{Stdout: b}
	if w.stderr {
		msg = &pulumirpc.InstallDependenciesResponse{Stderr: b}
	}
	if err := w.stream.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Cancel is called when the user interrupts an operation: as upstream does, a running program
// gets a SIGINT and a grace period to exit (see Run), and a later Run fails at once.
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	trace("Cancel")
	h.cancel()
	return &emptypb.Empty{}, nil
}

// programDir picks the directory holding the program: ProgramInfo when the
// engine sends it (all current engines do), else the legacy field.
func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}
