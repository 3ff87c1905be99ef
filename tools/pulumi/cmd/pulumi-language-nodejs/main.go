// Command pulumi-language-nodejs is a small stand-in for Pulumi's Node.js
// language host, written for pulumi-koodrive.
//
// Why it exists: the Go module proxy available to this project refuses the
// real module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3,
// HTTP 403 at every version), so the engine built from
// github.com/pulumi/pulumi/pkg/v3 would have no way to run a `runtime: nodejs`
// program. This binary implements just enough of the LanguageRuntime gRPC
// service for `pulumi preview/up/refresh/destroy` and the Automation API:
// it launches the program runner shipped inside the npm package
// (@pulumi/pulumi/cmd/run) with the flags and environment that runner reads,
// and runs Node.js plugins and policy packs (RunPlugin, plugin.go) through
// the package's run-plugin and run-policy-pack scripts as upstream does.
// It was written from the protocol definition and observed engine behaviour;
// it is not a copy of Pulumi's implementation. With a normal Pulumi CLI
// installation, use that instead (scripts/pulumi.sh prefers it).
//
// Boot protocol (shared by every Pulumi plugin): the engine starts the binary
// with optional logging/tracing flags followed by the engine's gRPC address as
// the last argument. We serve gRPC on a free loopback port and print that port
// as the first line on stdout; the engine connects to it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is reported to the engine by GetPluginInfo/About. It tracks the
// engine version we build (pkg/v3 in go.mod), because this host speaks that
// engine's protocol.
const version = "3.274.1"

func main() {
	engineAddr := engineAddress(os.Args[1:])

	host := newHost(engineAddr)

	// As upstream: stop serving on SIGINT (a second Ctrl-C, after the engine's own Cancel) or when
	// the engine stops answering its health check.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()
	if engineAddr != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddr, 5*time.Minute, stop); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the health check: %v\n", err)
			os.Exit(1)
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Cancel: cancel,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}

	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

// engineAddress picks the engine's address out of the command line. The
// engine puts it last, after flags we do not use (--logtostderr, -v=N,
// --tracing <url>, and runtime options in older engines), so instead of
// declaring every flag we skip flags and their values and keep the last
// positional argument. An empty result is fine: the engine then sends its
// address in Handshake.
func engineAddress(args []string) string {
	addr := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			addr = a
			continue
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		// The only value-taking flag the engine passes in the separate-value
		// form is --tracing; every other flag it sends is boolean or uses "=".
		if name == "tracing" && i+1 < len(args) {
			i++
		}
	}
	return addr
}
