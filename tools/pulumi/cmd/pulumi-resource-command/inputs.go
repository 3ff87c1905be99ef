package main

// Decoding of the properties the engine sends, with the check failures pulumi-command 1.2.1
// reports. Upstream decodes them into Go structs with the SDK's `mapper` package; the failure
// texts below are that package's (field order, type names and wording), so a program that fails
// `pulumi preview` here fails the same way with the real provider.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fieldKind is the Go type upstream decodes a property into, named as the mapper names it.
type fieldKind string

const (
	kindString    fieldKind = "string"
	kindLogging   fieldKind = "local.Logging"
	kindStrings   fieldKind = "[]string"
	kindStringMap fieldKind = "map[string]string"
	kindBool      fieldKind = "bool"
	kindAnyList   fieldKind = "[]interface {}"
	kindAny       fieldKind = "" // not checked (the assets and archive outputs)
)

type field struct {
	key  resource.PropertyKey
	kind fieldKind
}

// shape is one of upstream's input or state structs: its Go name and its fields in order.
type shape struct {
	typeName string
	fields   []field
	required resource.PropertyKey // "" when every field is optional
}

// The shared inputs of Command and run (upstream's BaseInputs), in declaration order.
var baseFields = []field{
	{"stdin", kindString}, {"logging", kindLogging}, {"interpreter", kindStrings}, {"dir", kindString},
	{"environment", kindStringMap}, {"assetPaths", kindStrings}, {"archivePaths", kindStrings},
	{"addPreviousOutputInEnv", kindBool},
}

// outputFields are what a command adds to its inputs (upstream's BaseOutputs).
var outputFields = []field{{"stdout", kindString}, {"stderr", kindString}, {"assets", kindAny}, {"archive", kindAny}}

var (
	commandInputs = shape{typeName: "local.CommandInputs", fields: append([]field{
		{"triggers", kindAnyList}, {"create", kindString}, {"update", kindString}, {"delete", kindString},
	}, baseFields...)}
	commandState = shape{typeName: "local.CommandOutputs", fields: append(append([]field{}, commandInputs.fields...),
		outputFields...)}
	runInputs = shape{typeName: "local.RunInputs", fields: append(append([]field{}, baseFields...),
		field{"command", kindString}), required: "command"}
)

// inputs are the known, unsecreted values of a command's properties. Unknown values (only in
// previews, where nothing runs) count as absent.
type inputs struct {
	create, update, delete, command *string
	stdin, dir, logging             *string
	interpreter                     []string
	environment                     map[string]string
	assetPaths, archivePaths        *[]string
	addPreviousOutputInEnv          *bool
	stdout, stderr                  string // the previous run's, when decoding a state
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

// goTypeName names the Go type a property value decodes to, as the mapper's messages do.
func goTypeName(v resource.PropertyValue) string {
	switch {
	case v.IsString():
		return "string"
	case v.IsNumber():
		return "float64"
	case v.IsBool():
		return "bool"
	case v.IsArray():
		return "[]interface {}"
	default:
		return "map[string]interface {}"
	}
}

func wrongType(s shape, key string, want fieldKind, got resource.PropertyValue) *pulumirpc.CheckFailure {
	return &pulumirpc.CheckFailure{Property: key, Reason: fmt.Sprintf(
		"Field '%s' on '%s' must be a '%s'; got '%s' instead", key, s.typeName, want, goTypeName(got))}
}

// notAStruct is the mapper's failure for an object given where a plain value belongs.
func notAStruct(s shape, key string, want fieldKind) *pulumirpc.CheckFailure {
	short := s.typeName[strings.IndexByte(s.typeName, '.')+1:]
	return &pulumirpc.CheckFailure{Property: key, Reason: fmt.Sprintf(
		"An error occurred decoding '%s.%s': Cannot decode Object{} to type %s; it isn't a struct, "+
			"and no custom decoder exists", short, key, want)}
}

// checkScalar checks a value that must be a string or a bool.
func checkScalar(s shape, key string, kind fieldKind, v resource.PropertyValue) *pulumirpc.CheckFailure {
	switch {
	case kind == kindBool && v.IsBool(), kind != kindBool && v.IsString():
		return nil
	case v.IsObject():
		return notAStruct(s, key, kind)
	default:
		return wrongType(s, key, kind, v)
	}
}

// checkField returns the first problem with v as a value of kind, or nil.
func checkField(s shape, f field, v resource.PropertyValue) *pulumirpc.CheckFailure {
	key := string(f.key)
	switch f.kind {
	case kindAny:
		return nil
	case kindString, kindLogging, kindBool:
		return checkScalar(s, key, f.kind, v)
	case kindAnyList, kindStrings:
		if v.IsObject() {
			return notAStruct(s, key, f.kind)
		}
		if !v.IsArray() {
			return wrongType(s, key, f.kind, v)
		}
		if f.kind == kindStrings {
			for i, e := range v.ArrayValue() {
				if p := checkScalar(s, fmt.Sprintf("%s[%d]", key, i), kindString, e); p != nil {
					return p
				}
			}
		}
	case kindStringMap:
		if !v.IsObject() {
			return wrongType(s, key, f.kind, v)
		}
		obj := v.ObjectValue()
		for _, k := range obj.StableKeys() {
			if p := checkScalar(s, fmt.Sprintf("%s[%s] value", key, k), kindString, obj[k]); p != nil {
				return p
			}
		}
	}
	return nil
}

// decode reads pm as shape s. Failures are what upstream's Check (or run's Invoke) reports.
func decode(s shape, pm resource.PropertyMap) (*inputs, []*pulumirpc.CheckFailure) {
	in := &inputs{}
	var failures []*pulumirpc.CheckFailure
	known := map[resource.PropertyKey]bool{}
	for _, f := range s.fields {
		known[f.key] = true
		raw, ok := pm[f.key]
		if !ok || raw.IsNull() {
			if f.key == s.required {
				failures = append(failures, &pulumirpc.CheckFailure{Property: string(f.key), Reason: fmt.Sprintf(
					"Missing required field '%s' on '%s'", f.key, s.typeName)})
			}
			continue
		}
		if raw.ContainsUnknowns() {
			continue
		}
		v := unsecret(raw)
		if p := checkField(s, f, v); p != nil {
			failures = append(failures, p)
			continue
		}
		in.set(f.key, v)
	}
	var unrecognized []string
	for k := range pm {
		if !known[k] {
			unrecognized = append(unrecognized, string(k))
		}
	}
	sort.Strings(unrecognized)
	for _, k := range unrecognized {
		failures = append(failures, &pulumirpc.CheckFailure{Property: k, Reason: fmt.Sprintf(
			"Unrecognized field '%s' on '%s'", k, s.typeName)})
	}
	return in, failures
}

// set stores a checked value.
func (in *inputs) set(key resource.PropertyKey, v resource.PropertyValue) {
	str := func() *string { s := v.StringValue(); return &s }
	strs := func() *[]string {
		out := []string{}
		for _, e := range v.ArrayValue() {
			out = append(out, e.StringValue())
		}
		return &out
	}
	switch key {
	case "create":
		in.create = str()
	case "update":
		in.update = str()
	case "delete":
		in.delete = str()
	case "command":
		in.command = str()
	case "stdin":
		in.stdin = str()
	case "dir":
		in.dir = str()
	case "logging":
		in.logging = str()
	case "interpreter":
		in.interpreter = *strs()
	case "assetPaths":
		in.assetPaths = strs()
	case "archivePaths":
		in.archivePaths = strs()
	case "environment":
		in.environment = map[string]string{}
		for k, e := range v.ObjectValue() {
			in.environment[string(k)] = e.StringValue()
		}
	case "addPreviousOutputInEnv":
		b := v.BoolValue()
		in.addPreviousOutputInEnv = &b
	case "stdout":
		in.stdout = v.StringValue()
	case "stderr":
		in.stderr = v.StringValue()
	}
}

// failuresError turns failures found outside Check (where the engine has already checked the
// inputs, so they are not expected) into one error.
func failuresError(what string, failures []*pulumirpc.CheckFailure) error {
	reasons := make([]string, len(failures))
	for i, f := range failures {
		reasons[i] = f.Reason
	}
	return fmt.Errorf("invalid %s: %s", what, strings.Join(reasons, "; "))
}
