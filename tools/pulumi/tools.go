//go:build tools

// Package tools pins the Pulumi engine binaries that scripts/pulumi.sh builds.
// Nothing imports this package; it only makes `go mod tidy` keep the
// requirements below, so `go build <pkg>` works from this module.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
