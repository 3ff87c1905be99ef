package main

import (
	"errors"
	"fmt"

	"github.com/google/shlex"
)

// nodeOptions are the `runtime.options` of a `runtime: nodejs` project (Pulumi.yaml).
type nodeOptions struct {
	typescript     bool   // run the program through ts-node (default true)
	tsconfig       string // PULUMI_NODEJS_TSCONFIG_PATH, when set
	nodeargs       string // extra arguments to node, split as a shell would by nodeArgs
	packagemanager string // auto (the default), npm, yarn, pnpm or bun
}

// parseOptions reads and checks the options the way Pulumi's own Node.js language host does: a value
// of the wrong type is refused with the same message.
func parseOptions(opts map[string]any) (nodeOptions, error) {
	o := nodeOptions{typescript: true, packagemanager: "auto"}
	if v, ok := opts["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return o, errors.New("typescript option must be a boolean")
		}
		o.typescript = b
	}
	if v, ok := opts["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("tsconfigpath option must be a string")
		}
		o.tsconfig = s
	}
	if v, ok := opts["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("nodeargs option must be a string")
		}
		o.nodeargs = s
	}
	if v, ok := opts["production"]; ok {
		if _, ok := v.(bool); !ok {
			return o, errors.New("production option must be a boolean")
		}
	}
	if v, ok := opts["packagemanager"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("packagemanager option must be a string")
		}
		switch s {
		case "auto", "npm", "yarn", "pnpm", "bun":
			o.packagemanager = s
		default:
			return o, fmt.Errorf("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got %q", s)
		}
	}
	return o, nil
}

// nodeArgs splits the nodeargs option as upstream does: shell-style (quotes and backslashes group
// words), with the same library, github.com/google/shlex. Its error (an unclosed quote) is
// upstream's too.
func (o nodeOptions) nodeArgs() ([]string, error) {
	return shlex.Split(o.nodeargs)
}
