/**
 * Whether this process runs in a container: the lock on this machine is an abstract socket, one per
 * network namespace, so a container with a network of its own does not see the stacks of its host or
 * of other containers, and a job there must use `lockUrl`.
 */
import { existsSync, readFileSync } from "node:fs";

/** The cgroup paths container runtimes give their processes. */
const CONTAINER_CGROUP = /docker|kubepods|containerd|libpod|lxc/;

/**
 * True when this process can tell it runs in a container (`/.dockerenv`, `/run/.containerenv`, or a
 * container runtime's cgroup); `KOODRIVE_CONTAINER=1` or `0` says so instead (tests set it).
 */
export function runsInContainer(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.KOODRIVE_CONTAINER === "1") return true;
  if (env.KOODRIVE_CONTAINER === "0") return false;
  if (existsSync("/.dockerenv") || existsSync("/run/.containerenv")) return true;
  try {
    return CONTAINER_CGROUP.test(readFileSync("/proc/1/cgroup", "utf8"));
  } catch {
    return false;
  }
}

/** The warning of a guard taking the tenant on this machine from inside a container. */
export const CONTAINER_WARNING =
  "this deployment runs in a container and takes the KooDrive tenant with the lock on this machine, which only the processes of its network namespace see: stacks on the host or in other containers are not serialized with it; set koodrive:lockUrl (a PostgreSQL server) on every stack of the tenant (KOODRIVE_CONTAINER=0 if this is not a container)";
