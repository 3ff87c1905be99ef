// Command sdkgen writes the Python and Go SDKs of a Pulumi package from its schema, with Pulumi's own
// code generators (pkg/v3/codegen). `pulumi package gen-sdk` would do the same, but in CLI v3.274.1 it
// hands generation to each language's plugin, which cannot be built here.
//
//	sdkgen -schema provider/schema.json -out sdk -version 0.2.0 python go
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool name Pulumi's generators write into each file's "do not edit" header.
const tool = "pulumi-koodrive sdkgen"

// noReferences loads no other package: the schema is self-contained, so any reference is a mistake.
type noReferences struct{}

var errReference = errors.New("the schema refers to another package; only self-contained schemas are supported")

func (noReferences) LoadPackage(string, *semver.Version) (*schema.Package, error) { return nil, errReference }
func (noReferences) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errReference
}
func (noReferences) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errReference
}
func (noReferences) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errReference
}

// spdxLicense rewrites the license of a generated pyproject.toml as a PEP 639 SPDX expression.
// Pulumi's generator writes the table form (`[project.license] text = ...`), which setuptools
// deprecates (a warning in every build, an error from 2027-02); the string form needs setuptools 77.
func spdxLicense(pyproject string, license string) (string, error) {
	table := fmt.Sprintf("  [project.license]\n    text = %q\n", license)
	floor := `requires = ["setuptools>=61.0"]`
	if !strings.Contains(pyproject, table) || !strings.Contains(pyproject, floor) {
		return "", errors.New("pyproject.toml: the generator no longer writes the license table and setuptools>=61.0 this tool rewrites; update spdxLicense")
	}
	pyproject = strings.Replace(pyproject, table, fmt.Sprintf("  license = %q\n", license), 1)
	return strings.Replace(pyproject, floor, `requires = ["setuptools>=77.0"]`, 1), nil
}

func generate(language string, pkg *schema.Package) (map[string][]byte, error) {
	switch language {
	case "python":
		files, err := pygen.GeneratePackage(tool, pkg, nil, noReferences{})
		if err != nil || pkg.License == "" {
			return files, err
		}
		pyproject, err := spdxLicense(string(files["pyproject.toml"]), pkg.License)
		files["pyproject.toml"] = []byte(pyproject)
		return files, err
	case "go":
		return gogen.GeneratePackage(tool, pkg, nil)
	default:
		return nil, fmt.Errorf("unknown language %q: python or go", language)
	}
}

func run() error {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	out := flag.String("out", "sdk", "the folder that gets one folder per language")
	version := flag.String("version", "", "the package version the SDKs carry")
	flag.Parse()
	if *schemaPath == "" || flag.NArg() == 0 {
		return errors.New("usage: sdkgen -schema FILE [-out DIR] [-version V] LANGUAGE...")
	}
	text, err := os.ReadFile(*schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", *schemaPath, err)
	}
	if *version != "" {
		spec.Version = *version
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", *schemaPath, diags.Error())
	}
	for _, language := range flag.Args() {
		files, err := generate(language, pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		dir := filepath.Join(*out, language)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		for name, content := range files {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}
