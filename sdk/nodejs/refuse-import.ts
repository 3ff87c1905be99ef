import type * as pulumi from "@pulumi/pulumi";
import { ProgramError } from "../../provider/client/errors";

/** What differs between the kinds in the refusal: the object, its id and what it keeps outside the stack. */
const KINDS = {
  User: { what: "a KooDrive user", id: "<userId>", keeps: "its seat, which the tenant's figures count once" },
  Space: { what: "a KooDrive space", id: "<containerId>", keeps: "its GB, which its pool's figures count once" },
} as const;

/**
 * Throws a `ProgramError` when `opts.import` is given to a `User` or `Space`: a dynamic resource cannot
 * be imported. Pulumi's import reads the resource with its id alone, and Pulumi's Node.js dynamic
 * provider runs the provider code recorded in a resource's state, which an import has none of yet
 * (the engine would fail with `code must be a string, not undefined`). The error names the plugin's
 * `pulumi import` instead.
 */
export function refuseImport(kind: keyof typeof KINDS, name: string, opts?: pulumi.CustomResourceOptions): void {
  if (opts?.import === undefined) return;
  const { what, id, keeps } = KINDS[kind];
  throw new ProgramError(
    `${kind} ${name}: the import resource option cannot adopt ${what} into a dynamic resource`,
    "Pulumi's import reads it with its id alone, and Pulumi's Node.js dynamic provider runs the provider code recorded in a resource's state, which an import has none of yet. " +
      `Leave it out of the stack (it keeps ${keeps}), or adopt it in a YAML, Python or Go stack with \`pulumi import koodrive:index:${kind} <name> ${id}\` (the provider plugin)`,
  );
}
