import { removeProgramWorkspace } from "../harness/program-stack";

/** Mocha root hooks: after the whole run, remove the engine tests' program workspace. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await removeProgramWorkspace();
  },
};
