/**
 * Programs that use the KooDrive provider plugin through its schema tokens, in Pulumi YAML (run by
 * Pulumi's own YAML language host) and in JavaScript (no dynamic provider: `pulumi.runtime.invoke`
 * and a `pulumi.CustomResource` of type `koodrive:index:CapacityGuard`).
 */

/** The languages the plugin tests run in. */
export type PluginLanguage = "yaml" | "javascript";

/** What a program does: guards by name with their planned users, and how many function calls. */
export interface PluginProgram {
  guards: Record<string, number>;
  /** Calls of getServiceUsage (at least 1); the first one's figures are exported. */
  invokes?: number;
}

const GUARD_OUTPUTS = ["status", "fits", "violations", "warnings", "message", "usage", "admittedPlan"];

function yaml({ guards, invokes = 1 }: PluginProgram): Record<string, string> {
  const calls = Array.from({ length: invokes }, (_, i) => i + 1);
  const lines = ["name: koodrive-yaml", "runtime: yaml", "variables:"];
  for (const i of calls) {
    lines.push(
      `  usage${i}:`,
      "    fn::invoke:",
      "      function: koodrive:index:getServiceUsage",
      "      arguments: {}",
    );
  }
  lines.push("resources:");
  for (const [name, users] of Object.entries(guards)) {
    lines.push(
      `  ${name}:`,
      "    type: koodrive:index:CapacityGuard",
      "    properties:",
      `      plannedUsers: ${users}`,
    );
  }
  lines.push("outputs:", `  remainingSeats: \${usage1.remainingSeats}`, `  userMaxCount: \${usage1.userMaxCount}`);
  for (const i of calls.slice(1)) lines.push(`  remainingQuotaGB${i}: \${usage${i}.remainingQuotaGB}`);
  for (const name of Object.keys(guards)) lines.push(`  ${name}Status: \${${name}.status}`);
  return { "Pulumi.yaml": `${lines.join("\n")}\n` };
}

function javascript({ guards, invokes = 1 }: PluginProgram): Record<string, string> {
  const calls = Array.from({ length: invokes }, (_, i) => i + 1);
  const source = `const pulumi = require("@pulumi/pulumi");

/** The plugin's guard, by its schema token: no dynamic provider, no closure serialization. */
class CapacityGuard extends pulumi.CustomResource {
  constructor(name, args, opts) {
    const outputs = Object.fromEntries(${JSON.stringify(GUARD_OUTPUTS)}.map((key) => [key, undefined]));
    super("koodrive:index:CapacityGuard", name, { ...outputs, ...args }, opts);
  }
}

const usage = ${JSON.stringify(calls)}.map(() => pulumi.output(pulumi.runtime.invoke("koodrive:index:getServiceUsage", {})));
exports.remainingSeats = usage[0].remainingSeats;
exports.userMaxCount = usage[0].userMaxCount;
usage.slice(1).forEach((figures, i) => {
  exports["remainingQuotaGB" + (i + 2)] = figures.remainingQuotaGB;
});
for (const [name, plannedUsers] of Object.entries(${JSON.stringify(guards)})) {
  exports[name + "Status"] = new CapacityGuard(name, { plannedUsers }).status;
}
`;
  return { "index.js": source };
}

/** The program's files in `language`. */
export function pluginProgram(language: PluginLanguage, program: PluginProgram): Record<string, string> {
  return language === "yaml" ? yaml(program) : javascript(program);
}
