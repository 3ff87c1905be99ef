import { z } from "zod";
import type { SameType } from "./same-type";
import type { SpaceInfo } from "./spaces";
import { figureSchema } from "./whole-number-schema";

const text = () => z.string({ error: "must be a string" });

/**
 * A space as KooDrive answers it (SpaceInfo; each field's doc is in `SpaceInfo`, spaces.ts, which this
 * schema is held to). Numbers come as strings of digits and are read as numbers; unknown fields
 * (bizRootFileId, creator, …) are dropped.
 */
export const SpaceInfoSchema = z.object({
  type: figureSchema(),
  status: figureSchema(),
  ownerId: text(),
  containerId: text(),
  capacity: figureSchema(),
  spaceUsed: figureSchema(),
  tenantId: text().optional(),
  createTime: text().optional(),
  updateTime: text().optional(),
});

/** The `data` of `GET /koodrive/ose/v2/space/{ownerId}`: the owner's spaces. */
export const SpaceListSchema = z.array(SpaceInfoSchema);

// Compile-time check: the schema reads exactly the published interface.
const schemaMatchesInterface: SameType<z.output<typeof SpaceInfoSchema>, SpaceInfo> = true;
void schemaMatchesInterface;
