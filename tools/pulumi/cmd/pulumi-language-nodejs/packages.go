package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON holds the package.json fields we read.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// pluginPackage is a resource plugin that an installed npm package declares
// with `"pulumi": {"resource": true, "name": …, "version": …}`.
type pluginPackage struct {
	Name, Version, Server string
}

// pulumiPackages lists the resource plugins declared by packages the program
// can load: every node_modules directory from dir up to the filesystem root
// (Node's lookup path), top-level and @scope/ packages. Nested node_modules
// are not walked; provider SDKs are direct dependencies in practice. The
// engine uses the list to check that the plugins exist before the program
// starts; a plugin found on PATH satisfies it.
func pulumiPackages(dir string) ([]pluginPackage, error) {
	seen := map[string]pluginPackage{}
	for _, nm := range nodeModulesDirs(dir) {
		for _, pkgDir := range packageDirs(nm) {
			p, err := readPackageJSON(filepath.Join(pkgDir, "package.json"))
			if err != nil || p.Pulumi == nil || !p.Pulumi.Resource {
				continue
			}
			name := p.Pulumi.Name
			if name == "" {
				// Older packages omit the name: @pulumi/aws -> aws.
				name = p.Name[strings.LastIndex(p.Name, "/")+1:]
			}
			ver := p.Pulumi.Version
			if ver == "" {
				ver = p.Version
			}
			if _, dup := seen[name]; !dup { // nearest node_modules wins, like Node
				seen[name] = pluginPackage{Name: name, Version: ver, Server: p.Pulumi.Server}
			}
		}
	}
	out := make([]pluginPackage, 0, len(seen))
	for _, p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// programDependencies reports the program's declared npm dependencies with
// the versions actually installed (for `pulumi about`).
func programDependencies(dir string) ([]*pulumirpc.DependencyInfo, error) {
	var manifest *packageJSON
	var root string
	for d := dir; ; d = filepath.Dir(d) {
		if p, err := readPackageJSON(filepath.Join(d, "package.json")); err == nil {
			manifest, root = p, d
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if filepath.Dir(d) == d {
			return nil, nil // no package.json: nothing to report
		}
	}
	names := map[string]bool{}
	for n := range manifest.Dependencies {
		names[n] = true
	}
	for n := range manifest.DevDependencies {
		names[n] = true
	}
	var deps []*pulumirpc.DependencyInfo
	for n := range names {
		ver := "(not installed)"
		for _, nm := range nodeModulesDirs(root) {
			if p, err := readPackageJSON(filepath.Join(nm, n, "package.json")); err == nil {
				ver = p.Version
				break
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: ver})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return deps, nil
}

// nodeModulesDirs returns the existing node_modules directories Node would
// search from dir, nearest first.
func nodeModulesDirs(dir string) []string {
	var dirs []string
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			dirs = append(dirs, nm)
		}
		if filepath.Dir(d) == d {
			return dirs
		}
	}
}

// packageDirs lists the package directories directly inside node_modules,
// looking one level into @scope directories.
func packageDirs(nm string) []string {
	entries, err := os.ReadDir(nm)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if strings.HasPrefix(name, "@") {
			scoped, _ := os.ReadDir(filepath.Join(nm, name))
			for _, s := range scoped {
				dirs = append(dirs, filepath.Join(nm, name, s.Name()))
			}
			continue
		}
		dirs = append(dirs, filepath.Join(nm, name))
	}
	return dirs
}
