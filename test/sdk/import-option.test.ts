import assert from "node:assert/strict";
import { ProgramError } from "../../provider/client/errors";
import { Space, User } from "../../sdk/nodejs";

describe("the import resource option of User and Space", () => {
  /** True when `error` is the refusal of `kind` `name`, naming why and the plugin's `pulumi import <id>`. */
  const refusal = (kind: string, name: string, id: string) => (error: unknown) =>
    error instanceof ProgramError &&
    error.code === "ERR_KOODRIVE_PROGRAM" &&
    error.message.includes(`${kind} ${name}: the import resource option cannot adopt a KooDrive`) &&
    error.message.includes("recorded in a resource's state") &&
    error.message.includes(`pulumi import koodrive:index:${kind} <name> ${id}`);

  it("is refused in the program, naming why and the plugin's pulumi import instead", () => {
    assert.throws(
      () => new User("alice", { userId: "100000000000000201" }, { import: "100000000000000201" }),
      refusal("User", "alice", "<userId>"),
    );
    assert.throws(
      () => new Space("sales", { ownerId: "1", type: "department", capacityGB: 100 }, { import: "container-7" }),
      refusal("Space", "sales", "<containerId>"),
    );
  });
});
