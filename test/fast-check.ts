/**
 * fast-check as every property test uses it: seeded, so a run is the same run every time.
 *
 * Every property draws from one seed: 2026 unless FC_SEED says otherwise. A failure prints
 * "seed: N, path: P"; `FC_SEED=N npx vitest run --project node <file>` replays it, and a new FC_SEED
 * explores other inputs (`FC_SEED=$RANDOM ...`).
 */
import fc from "fast-check";
import { seedFrom } from "./seeded-random.ts";

export const FC_SEED = seedFrom("FC_SEED", 2026);

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED });

export default fc;
