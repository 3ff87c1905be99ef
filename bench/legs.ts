/**
 * The platform legs the benchmarks run on, as scripts/test.sh defines them for the tests: the
 * primary leg (Node 24, the newest @pulumi/pulumi of devDependencies) and the floor leg (Node 22,
 * the lowest @pulumi/pulumi that peerDependencies allows).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** One leg: the Node major the engine, provider and programs run on, and the programs' @pulumi/pulumi. */
export interface Leg {
  node: 22 | 24;
  pulumiSdk: string;
}

/** The legs, primary first, read from the package.json in `root`. */
export function benchLegs(root: string): Leg[] {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Record<
    "devDependencies" | "peerDependencies",
    Record<string, string>
  >;
  const first = (field: "devDependencies" | "peerDependencies") => {
    const version = /\d+\.\d+\.\d+/.exec(manifest[field]["@pulumi/pulumi"] ?? "")?.[0];
    if (!version) throw new Error(`package.json ${field} names no @pulumi/pulumi version`);
    return version;
  };
  return [
    { node: 24, pulumiSdk: first("devDependencies") },
    { node: 22, pulumiSdk: first("peerDependencies") },
  ];
}
