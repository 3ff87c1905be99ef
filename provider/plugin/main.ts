#!/usr/bin/env node
/**
 * `pulumi-resource-koodrive`: the KooDrive provider plugin the engine starts for the `koodrive`
 * package (schema tokens `koodrive:index:*`), from any Pulumi language.
 */
import { serve } from "./server";

serve(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`pulumi-resource-koodrive: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
