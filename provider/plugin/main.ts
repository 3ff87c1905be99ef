#!/usr/bin/env node
/**
 * `pulumi-resource-koodrive`: the KooDrive provider plugin the engine starts for the `koodrive`
 * package (schema tokens `koodrive:index:*`), from any Pulumi language.
 */
import { serve } from "./server";

// The state ends the process through `exit` (the engine gone, or stopping it while it holds a lease).
serve(process.argv.slice(2), { exit: (code) => process.exit(code) }).catch((error: unknown) => {
  process.stderr.write(`pulumi-resource-koodrive: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
