package main

// Diff and the preview of an update, as pulumi-command 1.2.1 computes them (its framework,
// pulumi-go-provider's `infer`, does it for every resource).

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// replaceOnChanges are the inputs whose schema says a change replaces the resource.
var replaceOnChanges = map[string]bool{"triggers": true}

// applyIgnoreChanges puts back the recorded value of each ignored top-level property.
func applyIgnoreChanges(news, state resource.PropertyMap, ignore []string) {
	for _, k := range ignore {
		if v, ok := state[resource.PropertyKey(k)]; ok {
			news[resource.PropertyKey(k)] = v
		}
	}
}

var rpcDiffKinds = map[plugin.DiffKind]pulumirpc.PropertyDiff_Kind{
	plugin.DiffAdd:           pulumirpc.PropertyDiff_ADD,
	plugin.DiffAddReplace:    pulumirpc.PropertyDiff_ADD_REPLACE,
	plugin.DiffDelete:        pulumirpc.PropertyDiff_DELETE,
	plugin.DiffDeleteReplace: pulumirpc.PropertyDiff_DELETE_REPLACE,
	plugin.DiffUpdate:        pulumirpc.PropertyDiff_UPDATE,
	plugin.DiffUpdateReplace: pulumirpc.PropertyDiff_UPDATE_REPLACE,
}

// diffInputs compares the old inputs with the new ones, value by value, secretness included (a
// value that only became secret is a change, which re-runs the command). Changes are reported per
// property path (`environment.A`, `triggers[0]`). Only a change of `triggers` as a whole
// (added or removed) is a replacement here; a change inside it, `triggers[0]`, is reported as an
// update and becomes a replacement through the `replaceOnChanges: ["triggers[*]"]` option that
// every @pulumi/command SDK sets on the resource, which the engine applies.
func diffInputs(olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	news = news.Copy()
	for k := range news {
		if k == "version" || strings.HasPrefix(string(k), "__") {
			delete(news, k)
		}
	}
	objDiff := olds.Diff(news)
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
	}
	if objDiff.AnyChanges() {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	diffs, replaces := map[string]bool{}, map[string]bool{}
	for path, d := range plugin.NewDetailedDiffFromObjectDiff(objDiff, false) {
		if replaceOnChanges[path] {
			d.Kind = d.Kind.AsReplace()
		}
		resp.DetailedDiff[path] = &pulumirpc.PropertyDiff{Kind: rpcDiffKinds[d.Kind], InputDiff: d.InputDiff}
		head := path
		if pp, err := resource.ParsePropertyPath(path); err == nil && len(pp) > 0 {
			if s, ok := pp[0].(string); ok {
				head = s
			}
		}
		diffs[head] = true
		if d.Kind == plugin.DiffAddReplace || d.Kind == plugin.DiffDeleteReplace || d.Kind == plugin.DiffUpdateReplace {
			replaces[head] = true
		}
	}
	resp.Diffs, resp.Replaces = sortedKeys(diffs), sortedKeys(replaces)
	return resp
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// outputsUnknownInUpdatePreview tells whether an update's preview shows stdout, stderr, assets and
// archive as unknown, by upstream's rule: some input is unknown, or differs from the value recorded
// in the state. An input the state does not record at all (newly added) does not count, so adding,
// say, `environment` previews the old stdout as if it stayed.
func outputsUnknownInUpdatePreview(state, news resource.PropertyMap) bool {
	for _, f := range commandInputs.fields {
		nv := news[f.key]
		if nv.IsComputed() {
			return true
		}
		if ov, ok := state[f.key]; ok && !ov.DeepEquals(nv) {
			return true
		}
	}
	return false
}
