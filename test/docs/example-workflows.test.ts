import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** Tracked files matching `pattern`, with their text. */
function tracked(pattern: RegExp): { file: string; text: string }[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\0")
    .filter((file) => pattern.test(file))
    .map((file) => ({ file, text: readFileSync(path.join(REPO_ROOT, file), "utf8") }));
}

/** The lines of job `name` in a workflow: from `  name:` to the next job or the end. */
function job(text: string, name: string): string {
  const start = text.indexOf(`\n  ${name}:\n`);
  assert.notEqual(start, -1, `a job ${name}`);
  const rest = text.slice(start + 1);
  const next = rest.slice(1).search(/\n {2}[\w-]+:\n/);
  return next === -1 ? rest : rest.slice(0, next + 1);
}

const WORKFLOWS = tracked(/^examples\/.*\.ya?ml$/).filter(({ text }) => /^jobs:/m.test(text));

describe("the example CI workflows", () => {
  it("are found: ci-guardrail's and yaml-guardrail's", () => {
    assert.deepEqual(
      WORKFLOWS.map(({ file }) => file),
      ["examples/ci-guardrail/koodrive-guardrail.yml", "examples/yaml-guardrail/koodrive-guardrail.yml"],
    );
  });

  for (const { file, text } of WORKFLOWS) {
    describe(file, () => {
      it("set up Node.js 24 in every job that runs npm, and state the floor, 22", () => {
        for (const name of ["preview", "deploy", "drift-check"]) {
          const lines = job(text, name);
          const versions = [...lines.matchAll(/node-version:\s*(\S+)/g)].map(([, version]) => version);
          assert.deepEqual(versions, /\bnpm /.test(lines) ? ["24"] : [], `${name}'s Node.js`);
        }
        assert.match(text, /Node\.js 22 and newer/);
      });

      it("install as pasted: npm install (no lock file needed), never a global install", () => {
        assert.doesNotMatch(text, /npm ci\b/);
        assert.doesNotMatch(text, /--global|\s-g\s/);
      });

      it("run the policy pack in preview and deploy, creating the stack when missing", () => {
        for (const name of ["preview", "deploy"]) {
          const lines = job(text, name);
          assert.match(lines, /run: npm install\n\s+working-directory: policy-pack\n/, name);
          assert.match(
            lines,
            /upsert: true\n\s+policyPacks: policy-pack\n\s+policyPackConfigs: policy-pack\/policy-config\.json/,
            name,
          );
        }
        assert.doesNotMatch(job(text, "drift-check"), /upsert/);
      });

      it("warn of every empty setting and leave it out of the job's environment, in every job", () => {
        for (const name of ["preview", "deploy", "drift-check"]) {
          const lines = job(text, name);
          assert.match(lines, /if \[ -z "\$\{!name\}" \]; then\n\s+echo "::warning /, name);
          assert.match(lines, />> "\$GITHUB_ENV"/, name);
        }
        assert.doesNotMatch(text, /^env:/m, "no workflow-level env: an empty setting would reach every step");
      });

      it("deploy one run at a time in a tenant concurrency group, with the tenant lock's URL as a secret", () => {
        const deploy = job(text, "deploy");
        assert.match(deploy, /command: up/);
        assert.match(
          deploy,
          /group: koodrive-tenant-\$\{\{ vars\.KOODRIVE_ENDPOINT \}\}-\$\{\{ vars\.KOODRIVE_APP_ID \}\}/,
        );
        assert.match(deploy, /cancel-in-progress: false/);
        assert.doesNotMatch(job(text, "preview"), /koodrive-tenant-/);
        assert.doesNotMatch(job(text, "drift-check"), /koodrive-tenant-/);
        assert.match(text, /KOODRIVE_LOCK_URL: \$\{\{ secrets\.KOODRIVE_LOCK_URL \}\}/);
      });

      it("check for drift on a schedule with preview --expect-no-changes", () => {
        assert.match(text, /schedule:\n\s+- cron: "[^"]+"/);
        const drift = job(text, "drift-check");
        assert.match(drift, /github\.event_name == 'schedule'/);
        assert.match(drift, /command: preview/);
        assert.match(drift, /expect-no-changes: true/);
      });
    });
  }

  it("nor any example or doc names a Node.js version below the floor, 22", () => {
    const offenders = tracked(/^(examples\/.*\.(ya?ml|json|ts|py|go|txt)|.*\.md)$/).flatMap(({ file, text }) =>
      [
        ...text.matchAll(/node-version:\s*["']?(\d+)/g),
        ...text.matchAll(/\bNode(?:\.js)?\s+(\d+)\b/g),
        ...text.matchAll(/"@types\/node":\s*"[\^~]?(\d+)/g),
      ]
        .filter(([, major]) => Number(major) < 22)
        .map(([match]) => `${file}: ${match}`),
    );
    assert.deepEqual(offenders, []);
  });
});
