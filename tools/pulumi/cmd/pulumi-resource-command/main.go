// Command pulumi-resource-command is a small STAND-IN for Pulumi's `command`
// resource provider plugin (github.com/pulumi/pulumi-command), version 1.2.1.
//
// Why it exists: on this offline build machine the Go module proxy refuses
// github.com/pulumi/pulumi-command/provider at every version, so the real
// provider cannot be built here, and the npm SDK's install script (which would
// download the real plugin) does not run. Our examples and tests use the npm SDK
// `@pulumi/command@1.2.1` (`command.local.Command` and `command.local.run` /
// `runOutput`), so this binary implements just that surface of the real
// provider's gRPC protocol:
//
//   - resource `command:local:Command` (create/update/delete/dir/environment/interpreter/stdin/
//     triggers/addPreviousOutputInEnv/logging/assetPaths/archivePaths),
//   - function `command:local:run` (the same inputs with `command`).
//
// It behaves as upstream does where a user can tell (provider.go lists how). Not implemented: the
// `remote:*` resources and functions (SSH), and the full schema (GetSchema answers name and
// version only); README.md, "The Pulumi engine", lists every difference.
//
// On normal machines Pulumi installs the real plugin (the npm package's install
// script, or automatic plugin acquisition) and this stand-in is not needed.
//
// It depends on github.com/pulumi/pulumi/sdk/v3 (plus gRPC/protobuf, which sdk/v3
// itself depends on), github.com/gobwas/glob (upstream's glob library, for
// assetPaths/archivePaths) and the standard library.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// parseArgs implements the plugin boot protocol's command line: the engine
// passes optional flags (`--logtostderr`, `-v=N`, `--tracing <endpoint>`, and
// possibly others in future) followed by the engine's gRPC address as the only
// positional argument. Unknown flags are tolerated and ignored. With no
// positional argument the plugin runs in "attach" mode (the engine will call
// Attach with its address).
func parseArgs(args []string) (engineAddr string) {
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			name := strings.TrimLeft(a, "-")
			// The only flag known to take a separate value argument.
			if name == "tracing" && i+1 < len(args) {
				i++
			}
			continue
		}
		positional = append(positional, a)
	}
	if len(positional) > 0 {
		return positional[len(positional)-1]
	}
	return ""
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		cmdutil.ExitError(err.Error())
	}
}

func run(args []string) error {
	engineAddr := parseArgs(args)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	prov := newProvider()
	if engineAddr != "" {
		if err := prov.connectEngine(engineAddr); err != nil {
			return fmt.Errorf("fatal: could not connect to host RPC: %w", err)
		}
		// Exit when the engine goes away.
		var hcCancel context.CancelFunc
		ctx, hcCancel = context.WithCancel(ctx)
		defer hcCancel()
		if err := rpcutil.Healthcheck(ctx, engineAddr, 5*time.Minute, hcCancel); err != nil {
			return fmt.Errorf("could not start health check host RPC server: %w", err)
		}
	}

	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelChannel)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, prov)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("fatal: %w", err)
	}

	// The plugin protocol: print the chosen port on stdout (and nothing else).
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		return fmt.Errorf("fatal: %w", err)
	}
	return nil
}
