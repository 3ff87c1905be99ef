package main

import (
	"encoding/json"
)

// propertySpec is a property's type in Pulumi's package schema, for a field of the given kind.
func propertySpec(kind fieldKind) map[string]any {
	anyRef := map[string]any{"$ref": "pulumi.json#/Any"}
	switch kind {
	case kindString, kindLogging:
		return map[string]any{"type": "string"}
	case kindStrings:
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case kindStringMap:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	case kindBool:
		return map[string]any{"type": "boolean"}
	case kindAnyList:
		return map[string]any{"type": "array", "items": anyRef}
	default:
		return anyRef
	}
}

// propertySpecs are the schema's properties of a list of fields.
func propertySpecs(fields []field) map[string]any {
	specs := make(map[string]any, len(fields))
	for _, f := range fields {
		specs[string(f.key)] = propertySpec(f.kind)
	}
	return specs
}

// packageSchema is what GetSchema returns: the package's name and version, and `command:local:Command` and
// `command:local:run` with their properties, built from the same field tables the provider checks inputs with
// (inputs.go). The engine needs no more to run programs written against the npm SDK; Pulumi YAML, which
// type-checks a program's properties against the schema, needs the resource and the function declared.
func packageSchema() string {
	runOutputs := append(append([]field{}, runInputs.fields...), outputFields...)
	spec := map[string]any{
		"name":    "command",
		"version": providerVersion,
		"resources": map[string]any{
			commandType: map[string]any{
				"inputProperties": propertySpecs(commandInputs.fields),
				"properties":      propertySpecs(commandState.fields),
			},
		},
		"functions": map[string]any{
			runFunction: map[string]any{
				"inputs":  map[string]any{"properties": propertySpecs(runInputs.fields), "required": []string{string(runInputs.required)}},
				"outputs": map[string]any{"properties": propertySpecs(runOutputs)},
			},
		},
	}
	text, err := json.Marshal(spec)
	if err != nil {
		panic(err) // a literal of maps and strings always marshals
	}
	return string(text)
}
