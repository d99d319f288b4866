/**
 * fast-check as every property test uses it: seeded, so a run is the same run every time.
 *
 * Every property draws from one seed: 2026 unless FC_SEED says otherwise. A failure prints
 * "seed: N, path: P"; `FC_SEED=N npx vitest run --project node <file>` replays it, and a new FC_SEED
 * explores other inputs (`FC_SEED=$RANDOM ...`).
 */
import fc from "fast-check";

const DEFAULT_SEED = 2026;

function seedFromEnv(): number {
  const text = process.env.FC_SEED;
  if (text === undefined || text === "") return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`fast-check: FC_SEED "${text}" is not an integer`);
  return seed;
}

export const FC_SEED = seedFromEnv();

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED });

export default fc;
