/**
 * The fixture of an engine test file about stacks sharing one tenant: before each test a fresh
 * koodrive-sim with 20 of 100 seats used (80 left) that accepts `token`; after it, the stacks and
 * FIFO gates the test made are removed and the simulator closed.
 */
import { createProgramStack, type ProgramSpec, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { Gate } from "./gate";

/** What a test of the file reaches: the simulator of the test, and stacks and gates cleaned up after it. */
export interface OneTenant {
  /** The current test's simulator. */
  readonly sim: Simulator;
  /** A stack of `spec`, configured (and its engine's environment set) for the simulator with the token. */
  stack(name: string, spec: ProgramSpec): Promise<ProgramStack>;
  /** A FIFO gate a Command can wait at. */
  gate(): Gate;
}

/** Registers the hooks in the calling `describe` and returns what its tests use. */
export function oneTenant(token: string): OneTenant {
  let current: Simulator | undefined;
  const made: ProgramStack[] = [];
  const gates: Gate[] = [];
  beforeEach(async () => {
    current = await startSimulator({ fixture: { tokens: [token], usage: { userCount: 20, userMaxCount: 100 } } });
  });
  afterEach(async () => {
    for (const gate of gates.splice(0)) gate.remove();
    for (const test of made.splice(0)) await test.remove();
    await current?.close();
    current = undefined;
  });
  const sim = (): Simulator => {
    if (!current) throw new Error("oneTenant: the simulator exists only while a test runs");
    return current;
  };
  return {
    get sim() {
      return sim();
    },
    async stack(name, spec) {
      const { url } = sim();
      const test = await createProgramStack(name, {
        ...spec,
        config: {
          "koodrive:endpoint": { value: url },
          "koodrive:accessToken": { value: token, secret: true },
          ...spec.config,
        },
        env: { KOODRIVE_ENDPOINT: url, KOODRIVE_ACCESS_TOKEN: token, ...spec.env },
      });
      made.push(test);
      return test;
    },
    gate() {
      const gate = new Gate();
      gates.push(gate);
      return gate;
    },
  };
}
