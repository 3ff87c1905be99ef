//go:build tools

// Package tools pins Pulumi's own YAML language host (pulumi/pulumi-yaml), which
// scripts/pulumi.sh builds beside the engine. It is a Go module of its own so
// that pulumi-yaml's choice of pulumi sdk/pkg versions stays apart from the
// engine's. Nothing imports this package; it only makes `go mod tidy` keep the
// requirement, so `go build <pkg>` works from this module.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
