package main

// assetPaths and archivePaths: files a command leaves behind, returned as the `assets` map and the
// `archive` output. The rules are upstream's (documented on the inputs in @pulumi/command): only
// files, `/` as separator, `*` stops at `/`, `**` does not, a leading `!` excludes, rules apply in
// order, keys are relative to the command's directory. Globs are compiled by the same library
// upstream uses (github.com/gobwas/glob), so a pattern matches the same files here as there.

import (
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/gobwas/glob"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// matchFiles returns the files under dir that the rules select, by relative path.
func matchFiles(dir string, rules []string) (map[string]*resource.Asset, error) {
	type rule struct {
		glob    glob.Glob
		exclude bool
	}
	compiled := make([]rule, len(rules))
	for i, r := range rules {
		g, err := glob.Compile(strings.TrimPrefix(r, "!"), '/')
		if err != nil {
			return nil, err
		}
		compiled[i] = rule{g, strings.HasPrefix(r, "!")}
	}
	found := map[string]*resource.Asset{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, r := range compiled {
			switch {
			case !r.glob.Match(p):
			case r.exclude:
				delete(found, p)
			default:
				a, err := resource.NewPathAsset(path.Join(dir, p))
				if err != nil {
					return err
				}
				found[p] = a
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// globAssets is the `assets` output: relative path to file asset.
func globAssets(dir string, rules []string) (resource.PropertyMap, error) {
	files, err := matchFiles(dir, rules)
	if err != nil {
		return nil, err
	}
	out := resource.PropertyMap{}
	for p, a := range files {
		out[resource.PropertyKey(p)] = resource.NewAssetProperty(a)
	}
	return out, nil
}

// globArchive is the `archive` output: one archive of the selected files.
func globArchive(dir string, rules []string) (*resource.Archive, error) {
	files, err := matchFiles(dir, rules)
	if err != nil {
		return nil, err
	}
	members := make(map[string]any, len(files))
	for p, a := range files {
		members[p] = a
	}
	return resource.NewAssetArchive(members)
}
