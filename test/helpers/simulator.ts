import { type Simulator, type SimulatorOptions, startSimulator } from "../../sim";

/**
 * Starts a simulator before each test of the enclosing `describe` and closes it after;
 * returns the running one.
 */
export function useSimulator(options: SimulatorOptions = {}): () => Simulator {
  let running: Simulator | undefined;
  beforeEach(async () => {
    running = await startSimulator(options);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return () => {
    if (!running) throw new Error("useSimulator: no simulator outside a test");
    return running;
  };
}
