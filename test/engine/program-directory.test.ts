import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import path from "node:path";
import { createProgramStack } from "../../harness/program-stack";

/** Reports where the program runs, and reads a file beside it by a relative path. */
const WHERE_PROGRAM = `
exports.cwd = process.cwd();
exports.beside = require("node:fs").readFileSync("beside.txt", "utf8");
`;

/**
 * Pulumi's project file reference: "By default, the program's working directory is assumed to be the
 * location of Pulumi.yaml. To choose a different location, use the main property", e.g. `main: infra/`
 * for a program in `infra/`. The engine (pkg/engine/project.go) then makes the folder `main` names, or
 * the folder holding the file it names, the program's directory "so that any relative paths inside of
 * the program are correct", and Pulumi's Node.js language host starts the program there (`--pwd`).
 * The built stand-in must do the same; with the official CLI this checks Pulumi's own host.
 */
describe("a program with main: in a subfolder runs in that folder", function () {
  this.timeout(600_000);

  for (const main of ["src/", "src/index.js"]) {
    it(`main: ${main} gives process.cwd() = <project>/src, where relative paths resolve`, async () => {
      const test = await createProgramStack("program-dir", {
        files: {
          "Pulumi.yaml": `name: program-dir\nruntime: nodejs\nmain: ${main}\n`,
          "src/index.js": WHERE_PROGRAM,
          "src/beside.txt": "in src",
          "beside.txt": "in the project folder",
        },
      });
      try {
        const { outputs } = await test.stack.up();
        assert.equal(outputs.cwd?.value, realpathSync(path.join(test.dir, "src")));
        assert.equal(outputs.beside?.value, "in src");
      } finally {
        await test.stack.destroy().catch(() => undefined);
        await test.remove();
      }
    });
  }
});
