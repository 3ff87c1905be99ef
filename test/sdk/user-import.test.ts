import assert from "node:assert/strict";
import { ProgramError } from "../../provider/client/errors";
import { User } from "../../sdk/nodejs";

describe("User's import resource option", () => {
  it("is refused in the program, naming why and the plugin's pulumi import instead", () => {
    assert.throws(
      () => new User("alice", { userId: "100000000000000201" }, { import: "100000000000000201" }),
      (error: unknown) =>
        error instanceof ProgramError &&
        error.code === "ERR_KOODRIVE_PROGRAM" &&
        /User alice: the import resource option cannot adopt a KooDrive user into a dynamic resource/.test(
          error.message,
        ) &&
        /recorded in a resource's state/.test(error.message) &&
        /pulumi import koodrive:index:User <name> <userId>/.test(error.message),
    );
  });
});
