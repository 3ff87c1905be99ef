import assert from "node:assert/strict";
import { callLimits } from "../../provider/config/call-limits";
import { throwsWithCode } from "../helpers/secrets";

describe("the provider's call limits from KOODRIVE_TIMEOUT_MS and KOODRIVE_DEADLINE_MS", () => {
  it("takes whole numbers of ms, and nothing when unset or blank", () => {
    assert.deepEqual(callLimits({ KOODRIVE_TIMEOUT_MS: "2000", KOODRIVE_DEADLINE_MS: " 8000 " }), {
      timeoutMs: 2000,
      deadlineMs: 8000,
    });
    assert.deepEqual(callLimits({ KOODRIVE_DEADLINE_MS: "" }), {});
  });

  for (const [name, value] of [
    ["KOODRIVE_TIMEOUT_MS", "10s"],
    ["KOODRIVE_DEADLINE_MS", "0"],
    ["KOODRIVE_DEADLINE_MS", "3000000000"],
    ["KOODRIVE_TIMEOUT_MS", "1e4"],
  ] as const) {
    it(`refuses ${name}=${value} as a configuration error naming the variable`, () => {
      const error = throwsWithCode(() => callLimits({ [name]: value }), "ERR_KOODRIVE_CONFIGURATION");
      assert.match(error.message, new RegExp(`invalid ${name}: "${value}" is not a whole number of ms from 1 to`));
    });
  }
});
