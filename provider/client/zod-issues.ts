import type { z } from "zod";

/** `usage.userCount`, `apps[0].appId`: a path as a reader writes it, after `prefix`. */
function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, segment) =>
      typeof segment === "number" ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment),
    prefix,
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );
}

/** How `describeIssues` shows the value it refused; given only where showing the value is safe. */
export interface IssueContext {
  /** Written before every path (`data` for `data.userCount`). */
  prefix?: string;
  /** The parsed value: a missing key then reads `… is missing`, a bad one `… (got <show(value)>)`. */
  root?: unknown;
  /** How a refused value is shown (required with `root`). */
  show?: (value: unknown) => string;
}

/**
 * The one way a zod error is said, as `; `-joined clauses naming every offending key: `plannedUsers
 * must be a whole number ≥ 0`, `usage.seats: unknown key`, `data.userCount is missing`. A rule written
 * as a predicate (`must …`, `is …`) follows the path; any other message follows it after a colon.
 */
export function describeIssues(error: z.ZodError, context: IssueContext = {}): string {
  return error.issues.map((issue) => describeIssue(issue, context)).join("; ");
}

/** One issue of a zod error, said as `describeIssues` says it. */
export function describeIssue(issue: z.core.$ZodIssue, context: IssueContext = {}): string {
  const { prefix = "", root, show } = context;
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${formatPath(prefix, [...issue.path, key])}: unknown key`).join("; ");
  }
  const path = formatPath(prefix, issue.path) || "(top level)";
  if (root !== undefined && show) {
    const value = valueAt(root, issue.path);
    return value === undefined ? `${path} is missing` : `${path} ${issue.message} (${show(value)})`;
  }
  return /^(must|is) /.test(issue.message) ? `${path} ${issue.message}` : `${path}: ${issue.message}`;
}
