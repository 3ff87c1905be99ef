import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { amountsOf } from "../../provider/capacity/admission";
import { DeploymentLedger } from "../../provider/tenant/ledger";
import { RunPlan, runOf } from "../../provider/tenant/run-plan";

const user = (urn: string) => ({
  urn,
  name: urn.split("::").pop() as string,
  allocation: { users: 1 },
  kind: "User" as const,
});

describe("the plan of a run of the pulumi CLI, kept across its preview and its update", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), "koodrive-run-plan-"));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it("is the run of the nearest pulumi process above this one, and none without one", () => {
    assert.equal(runOf(), undefined, "mocha runs under no pulumi process");
    // A shell started as `pulumi` stands for the CLI: the provider below it finds it, by pid and start time.
    const bin = path.join(folder, "bin");
    mkdirSync(bin);
    symlinkSync("/bin/sh", path.join(bin, "pulumi"));
    const script = `require(${JSON.stringify(path.resolve(__dirname, "../../provider/tenant/run-plan"))}).runOf()`;
    const out = execFileSync(
      path.join(bin, "pulumi"),
      ["-c", `echo "$$"; "${process.execPath}" -p '${script}'; true`],
      {
        encoding: "utf8",
      },
    );
    const [shell, run] = out.trim().split("\n");
    assert.match(run ?? "", new RegExp(`^${shell}-\\d+$`));
  });

  it("gives every process of the run what the others recorded of a tenant, the last line of a URN standing", () => {
    const run = `${process.pid}-${readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[19]}`;
    const [preview, update] = [new RunPlan(folder, run), new RunPlan(folder, run)];
    preview.record(["tenant-id"], user("urn::u1"));
    preview.record(["tenant-name", "tenant-id"], user("urn::u2"));
    preview.record(["other-tenant"], user("urn::elsewhere"));
    update.record(["tenant-id"], { ...user("urn::u1"), allocation: { users: 1, spaceGB: { personal: 10 } } });
    appendFileSync(path.join(folder, `${run}.jsonl`), 'null\n{"keys":["tenant-id"],"entry":{"urn":"urn::torn"'); // a line of no entry, and a torn last line
    assert.deepEqual(update.entries(["tenant-id"]), [
      { ...user("urn::u1"), allocation: { users: 1, spaceGB: { personal: 10 } } },
      user("urn::u2"),
    ]);
    assert.deepEqual(new RunPlan(folder, "1-1").entries(["tenant-id"]), [], "another run sees none of it");
  });

  it("removes the plans of runs whose CLI ended, keeping those still running", () => {
    const ended = path.join(folder, "999999999-1.jsonl"); // no such process
    const running = `${process.ppid}-${readFileSync(`/proc/${process.ppid}/stat`, "utf8").split(") ")[1]?.split(" ")[19]}`;
    writeFileSync(ended, "");
    writeFileSync(path.join(folder, `${running}.jsonl`), "");
    new RunPlan(folder, `${randomUUID()}`).record(["t"], user("urn::u"));
    assert.equal(existsSync(ended), false);
    assert.equal(existsSync(path.join(folder, `${running}.jsonl`)), true);
  });
});

describe("a deployment's pending plan with what its run's preview checked", () => {
  it("counts the preview's Users and Spaces this deployment has not checked, never twice, and not as admitted", async () => {
    const ledger = new DeploymentLedger("deployment-1", randomUUID());
    try {
      await ledger.share(["t"], user("urn::u1"));
      await ledger.admit(["t"], {
        ...user("urn::u1"),
        adds: { users: 1 },
        room: amountsOf({ users: 80, spaceGB: { dept: 500, personal: 500, group: 500 } }),
      });
      await ledger.share(["t"], user("urn::u2"));
      const planned = ["urn::u1", "urn::u2", "urn::u3", "urn::u4"].map(user);
      const plan = await ledger.pending(["t"], planned);
      assert.deepEqual(plan.pending, { users: 3 }, "u2 once, u3 and u4 from the preview; u1 admitted");
      assert.deepEqual(plan.count, { User: 3, Space: 0 });
      assert.deepEqual(plan.admitted, { users: 1 });
      assert.deepEqual((await ledger.pending(["t"])).pending, { users: 1 }, "without the preview's, what it checked");
    } finally {
      await ledger.close();
    }
  });
});
