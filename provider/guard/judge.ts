/**
 * The guard core: one function over plain values that every front end calls (the dynamic provider,
 * the provider plugin, the CLI's plan check). It returns everything a front end shows: the outputs,
 * the failures (each against a top-level argument, since the engine looks failure properties up
 * among those only) and the log lines. Reading, the ledger and the lock are the caller's (check.ts).
 */

import { countsDefaultSpaces, defaultSpaceNote, withDefaultSpaces } from "../capacity/admission";
import {
  allocatedOf,
  type CapacityFigure,
  type FigureRow,
  figureOf,
  POOL_FIGURES,
  setIn,
  USERS_FIGURE,
} from "../capacity/figures";
import type { Allocation, Enforcement, GuardPlan, GuardShare, NewAllocation } from "../capacity/plan";
import { allocationOf, describePlan, evaluatePlan, newAllocation } from "../capacity/plan";
import type { CheckedPlan } from "../capacity/plan-schema";
import type { GetServiceUsageResult } from "../capacity/runway";
import { judgeRunway, planGrowth, type RunwayShortfall } from "../capacity/runway";
import { remainingOf } from "../capacity/usage";
import type { Failure } from "../client/errors";
import type { LogLine } from "../process/engine-log";
import type { GuardOutputs } from "./outputs";

/** A guard argument a failure is reported against. */
export type GuardArgument = keyof GuardPlan;

/** The tenant's figures for a guard or a data source: read (with the reading time), pending a setting unknown in preview, or unreadable. */
export type Figures =
  | { read: "done"; usage: GetServiceUsageResult; takenAt: Date }
  | { read: "pending"; unknown: string[] }
  | { read: "failed"; error: string };

/** Everything a guard is judged on, already parsed at the front end's edge. */
export interface GuardCase {
  /** The plan; undefined while it is not known (computed from another resource, in preview). */
  plan: CheckedPlan | undefined;
  /** The enforcement, also when the rest of the plan is unknown; an unknown one counts as mandatory. */
  enforcement: Enforcement;
  /** The plan admitted at the guard's last create or update (its state's `admittedPlan`); undefined for a new guard. */
  admitted: Allocation | undefined;
  /** The guard's name in messages. */
  name: string;
  figures: Figures;
  /** The new allocations of the other guards of the tenant in this deployment. */
  others: GuardShare[];
  /** What the tenant's subscription says, when it was read: frozen, and the personal space each new user gets. */
  subscription?: { status: number; personalSpaceSize: number };
}

/** What a front end shows. */
export interface GuardJudgement {
  outputs: GuardOutputs;
  /** Each against the guard argument that makes it fail (the engine shows its value). */
  failures: Failure[];
  log: LogLine[];
}

/**
 * The guard argument a figure's violation is reported against (the reason names the figure): what
 * the plan allocates of it, or the reserve when the plan allocates none of it.
 */
function argumentOf(figure: CapacityFigure, plan: CheckedPlan): GuardArgument {
  const { argument, reserve } = figureOf(figure);
  return plan[argument] === undefined ? (reserve ?? argument) : argument;
}

function pendingMessage(settings: string[], planKnown: boolean): string {
  const connection =
    settings.length > 0
      ? `the connection is not known until the update (${settings.join(", ")} ${settings.length === 1 ? "is" : "are"} computed from another resource)`
      : "";
  const plan = planKnown ? "" : "the plan is not known until the update";
  return `${[connection, plan].filter(Boolean).join(", and ")}; the check runs then`;
}

/**
 * The warning, every run, of a guard whose `minRunwayDays` cannot be judged: the tenant's history is
 * too short for a forecast (the runway's note says what is missing). Undefined when it is judged.
 */
function unjudgedRunway(usage: GetServiceUsageResult, minRunwayDays: number | undefined): LogLine | undefined {
  if (minRunwayDays === undefined || !usage.runway || usage.runway.seats.perDay !== null) return undefined;
  return { severity: "warning", message: `minRunwayDays ${minRunwayDays} is not judged yet: ${usage.runway.note}` };
}

/**
 * The figures that would run out within `minRunwayDays` once the tenant's new allocation in this run
 * is made: this guard's (`own`, under `name`) and every other guard's share, as the seat check counts
 * them (none when `minRunwayDays` is not set).
 */
export function runwayShortfalls(
  usage: GetServiceUsageResult,
  own: { name: string; growth: NewAllocation },
  others: readonly GuardShare[],
  minRunwayDays: number | undefined,
  takenAt: Date,
): RunwayShortfall[] {
  if (minRunwayDays === undefined || usage.runway === undefined) return [];
  const shares = [
    { name: own.name, growth: planGrowth(own.growth) },
    ...others.map((other) => ({ name: other.name, growth: planGrowth(newAllocation(other.allocation)) })),
  ];
  return judgeRunway(usage.runway, shares, minRunwayDays, takenAt.toISOString());
}

/**
 * What an advisory guard admits of a plan that does not fit: per figure, what it had admitted plus no
 * more than was left for it (after the reserve and the other guards' shares), so that a later
 * mandatory run judges the rest.
 */
function admittedWithin(
  planned: Allocation,
  admitted: Allocation | undefined,
  usage: GetServiceUsageResult,
  reserveSeats: number,
  others: GuardShare[],
): Allocation {
  const capped = (row: FigureRow, reserve: number) => {
    const othersNew = others.reduce((sum, other) => sum + allocatedOf(row, newAllocation(other.allocation)), 0);
    const room = Math.max(0, (remainingOf(row, usage) ?? 0) - reserve - othersNew);
    return Math.min(allocatedOf(row, planned), allocatedOf(row, admitted ?? {}) + room);
  };
  const pools = Object.fromEntries(
    POOL_FIGURES.filter((row) => setIn(row, planned)).map((row) => [row.planKey, capped(row, 0)]),
  );
  return allocationOf({
    ...(setIn(USERS_FIGURE, planned) ? { plannedUsers: capped(USERS_FIGURE, reserveSeats) } : {}),
    ...(planned.spaceGB === undefined ? {} : { plannedSpaceGB: pools }),
  });
}

/** A plan's `plannedUsers` and `plannedSpaceGB` for an allocation. */
function planOf(allocation: Allocation): Pick<GuardPlan, "plannedUsers" | "plannedSpaceGB"> {
  return {
    ...(allocation.users === undefined ? {} : { plannedUsers: allocation.users }),
    ...(allocation.spaceGB === undefined ? {} : { plannedSpaceGB: allocation.spaceGB }),
  };
}

/** Why nothing can be added, when the subscription is frozen (status 1) and the plan adds anything. */
export function frozenProblem(subscription: GuardCase["subscription"], growth: NewAllocation): string | undefined {
  if (subscription?.status !== 1 || !addsAnything(growth)) return undefined;
  return "the KooDrive tenant is frozen (its subscription's status is 1: its resources and data are kept, but the service cannot be used), so nothing can be added: renew or unfreeze the subscription, then run again";
}

/** True when a new allocation adds anything. */
function addsAnything(allocation: NewAllocation): boolean {
  return allocation.users > 0 || Object.values(allocation.spaceGB).some((gb) => gb > 0);
}

/** What the guard says about problems it only warns of (an advisory guard's verdict), and its warnings. */
function advisoryLog(lines: string[]): LogLine[] {
  return lines.map((message) => ({ severity: "warning", message: `advisory capacity guard: ${message}` }));
}

/** Judges a guard: pure, so every front end gives the same verdict, outputs and messages for the same case. */
export function judgeGuard(guard: GuardCase): GuardJudgement {
  const { plan, figures, admitted } = guard;
  const mandatory = guard.enforcement !== "advisory";
  const unjudged = { fits: true, violations: [], warnings: [], runwayShortfalls: [] };

  if (figures.read === "failed") {
    const reason = `cannot read KooDrive usage, so the plan cannot be checked: ${figures.error}`;
    return {
      // Unjudged, an advisory guard admits nothing new: a later run judges the growth.
      outputs: { ...unjudged, status: "unreadable", fits: false, message: reason, admittedPlan: admitted ?? {} },
      // Unreadable figures fail the guard because it is mandatory: `enforcement` is what to change to go on.
      failures: mandatory ? [{ property: "enforcement", reason }] : [],
      log: mandatory ? [] : advisoryLog([reason]),
    };
  }
  if (figures.read === "pending" || plan === undefined) {
    const message = pendingMessage(figures.read === "pending" ? figures.unknown : [], plan !== undefined);
    return {
      outputs: {
        ...unjudged,
        status: "pending",
        message,
        ...(figures.read === "done" ? { usage: figures.usage } : {}),
      },
      failures: [],
      // A preview-only gate must not read a pending mandatory guard as a pass.
      log: [
        {
          severity: mandatory ? "warning" : "info",
          message: mandatory ? `capacity guard pending: ${message}` : message,
        },
      ],
    };
  }

  const { usage, takenAt } = figures;
  const planned = allocationOf(plan);
  const size = guard.subscription?.personalSpaceSize ?? 0;
  const judged = {
    ...plan,
    ...planOf(withDefaultSpaces(planned, size)),
    ...(admitted === undefined ? {} : { deployed: withDefaultSpaces(admitted, size) }),
    name: guard.name,
    others: guard.others,
  };
  const verdict = evaluatePlan(usage, judged);
  const frozen = frozenProblem(guard.subscription, verdict.newAllocation);
  const summary = describePlan(usage, judged).join("; ");
  const own = { name: guard.name, growth: verdict.newAllocation };
  const shortfalls = runwayShortfalls(usage, own, guard.others, plan.minRunwayDays, takenAt);
  const fits = verdict.fits && shortfalls.length === 0 && frozen === undefined;
  const note = (figure: CapacityFigure) =>
    countsDefaultSpaces(figure) && (plan.plannedUsers ?? 0) > 0 ? defaultSpaceNote(size) : "";
  const problems = [
    ...(frozen ? [frozen] : []),
    ...verdict.violations.map((violation) => `${violation.message}${note(violation.figure)}: ${violation.remedy}`),
    ...shortfalls.map((shortfall) => shortfall.message),
  ];
  const outputs: GuardOutputs = {
    status: fits ? "fits" : "exceeds",
    fits,
    violations: verdict.violations,
    warnings: verdict.warnings,
    runwayShortfalls: shortfalls,
    remainingAfterPlan: verdict.remainingAfterPlan,
    newAllocation: verdict.newAllocation,
    admittedPlan:
      verdict.fits || mandatory
        ? planned
        : admittedWithin(planned, admitted, usage, plan.minFreeSeats ?? 0, guard.others),
    usage,
    message: fits
      ? `the plan fits${summary ? `: ${summary}` : ""}`
      : `the plan exceeds capacity: ${problems.join("; ")}`,
  };
  const failures: Failure[] = mandatory
    ? [
        ...(frozen
          ? [{ property: plan.plannedUsers === undefined ? "plannedSpaceGB" : "plannedUsers", reason: frozen }]
          : []),
        ...verdict.violations.map((violation) => ({
          property: argumentOf(violation.figure, plan),
          reason: `${violation.message}${note(violation.figure)}: ${violation.remedy}`,
        })),
        ...shortfalls.map((shortfall) => ({ property: "minRunwayDays", reason: shortfall.message })),
      ]
    : [];
  const warnings = verdict.warnings.map((warning): LogLine => ({ severity: "warning", message: warning.message }));
  const unforecast = unjudgedRunway(usage, plan.minRunwayDays);
  return {
    outputs,
    failures,
    log: [...(mandatory ? [] : advisoryLog(problems)), ...warnings, ...(unforecast ? [unforecast] : [])],
  };
}
