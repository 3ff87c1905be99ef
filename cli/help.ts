import { FIGURES, POOL_FIGURES } from "../provider/capacity/figures";
import { DEFAULT_USED_SPACE_UNIT, USED_SPACE_UNITS } from "../provider/client/units";
import { credentialKeys, variableOf } from "../provider/config/connection-settings";
import { HISTORY_FILE_VARIABLE } from "../provider/tenant/history";
import { EXIT_CODES } from "./exit-codes";

/** What `koodrive-usage --help` prints. */
export const HELP_TEXT = `Usage: koodrive-usage [flags]
       koodrive-usage report --history FILE (--html PAGE | --markdown) [flags]
       koodrive-usage db init [--grant USER]...

Reads the service usage of a Huawei Cloud KooDrive tenant
(${FIGURES.map((figure) => figure.label).join(", ")})
and, given plan flags, checks whether a planned allocation fits.

Connection:
  --endpoint URL|cn|intl   base URL, or a region preset: cn (CN North-Beijing4), intl (AP-Singapore);
                           default $${variableOf("endpoint")}. HTTPS is required, plain http:// only to loopback.
  --timeout-ms N           time limit of one attempt, in ms (default 10000)
  --retries N              retries on network errors, timeouts, HTTP 5xx and 429 (default 2)
  --used-space-unit U      unit of spaceUsed: ${USED_SPACE_UNITS.join(", ")} (default $${variableOf("usedSpaceUnit")}, else ${DEFAULT_USED_SPACE_UNIT};
                           the API does not document it, ${DEFAULT_USED_SPACE_UNIT} is an assumption)

Output:
  --json                   print one JSON object with every usage field at the top level; with plan
                           flags it has one more key, "plan": {fits, violations, warnings, remainingAfterPlan}
  --history FILE           append the reading to FILE when a figure changed or a day has passed (JSON
                           lines, created if missing; a malformed line is reported with its number and
                           left as it is) and print the runway: when seats and each pool run out at the
                           median daily growth of the last 30 days, with a range ("runway" in --json),
                           from FILE and the tenant's history on this machine (which every run adds to);
                           a forecast needs 3 readings over 3 days
  --record DIR             also read the subscription (a warning when it cannot be) and write each answer
                           KooDrive gave to DIR, made if missing: one JSON file per request line, with the
                           request line and headers, the status, headers and body, every credential,
                           signature and token redacted ("[secret]"), even when the run fails.
                           koodrive-sim --replay DIR serves them again; attach DIR to a bug report
  -h, --help               print this help

Plan (any of these turns the check on; all are whole numbers ≥ 0):
  --plan-users N           users to add (one seat each)
${POOL_FIGURES.map((row) => `  ${`--plan-${row.planKey}-gb N`.padEnd(25)}${row.label} to allocate, in GB`).join("\n")}
  --min-free-seats N       seats that must stay free after the plan
  --min-free-gb N          quota (all pools) that must stay free after the plan, in GB
  --warn-at-percent P      warn when a figure is P% used or more after the plan (0-100)
  --min-runway-days N      a violation when a figure would run out within N days after the plan at its
                           recent pace (needs --history)
  Each violation goes to stderr as one line; warnings too, prefixed "warning:".

Report (koodrive-usage report: reads and records as --history does, then draws the history, the
runway with its 80 % range, the reserves, --min-runway-days and the plan; takes every flag above but --json):
  --html PAGE              write one self-contained HTML page (charts inlined, nothing loaded when viewed)
  --markdown               print a Markdown table and Mermaid charts, and append them to
                           $GITHUB_STEP_SUMMARY when it is set (a GitHub Actions job summary)

Environment (credentials are read from here only, never from flags):
  ${variableOf("accessToken").padEnd(24)} token authentication ("Bearer " is added when missing), or
  ${credentialKeys("app").map(variableOf).join(", ")}
                           app authentication (HMAC-SHA256 signed requests), all three
  ${variableOf("endpoint").padEnd(24)} endpoint when --endpoint is not given
  ${variableOf("usedSpaceUnit").padEnd(24)} unit of spaceUsed when --used-space-unit is not given
  ${HISTORY_FILE_VARIABLE.padEnd(24)} a history file (JSON lines) every run also adds its reading to, and forecasts
                           from with --history: one a CI job keeps between runs (its cache)

Lock server (the koodrive:lockUrl setting, a PostgreSQL database serializing deployments across machines):
  db init                  make the schema pulumi-koodrive keeps there (schema koodrive, tables
                           koodrive.tenant_lease and koodrive.tenant_reading), once, as a user who may: the
                           database's owner, or one with CREATE on it. The URL comes from $${variableOf("lockUrl")} (or --lock-url URL, which
                           process lists show); the password is never printed
  --grant USER             also grant USER what a lock user needs there (repeat for several users)

Exit codes:
  ${EXIT_CODES.ok}  usage read, and the plan (if any) fits
  ${EXIT_CODES.planExceeded}  the plan exceeds capacity, or a figure runs out within --min-runway-days
  ${EXIT_CODES.badInvocation}  bad flags or configuration (nothing was sent)
  ${EXIT_CODES.usageUnreadable}  the usage could not be read: network, timeout, authentication, service error
     or invalid response (the message carries the trace id for support); for db init, the lock server
     could not be reached, refused the login, or refused the schema
`;
