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

/**
 * Gives `ownerId` a personal space of 10 GB through the simulator's API (as `token`) and has it store
 * `kb` KB; returns its container id.
 */
export async function storeInPersonalSpace(
  sim: Simulator,
  token: string,
  ownerId: string,
  kb: number,
): Promise<string> {
  const added = await fetch(`${sim.url}/koodrive/ose/v1/space/${ownerId}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ capacity: "10", type: 1 }),
  });
  if (added.status !== 200) throw new Error(`the simulator did not add a space of ${ownerId}: HTTP ${added.status}`);
  const space = sim.spaces().find((one) => one.ownerId === ownerId && one.type === 1);
  if (!space) throw new Error(`the simulator holds no personal space of ${ownerId}`);
  sim.setStored(space.containerId, kb);
  return space.containerId;
}
