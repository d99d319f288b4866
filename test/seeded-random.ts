/** Random test data that replays: a small seeded generator (mulberry32), its seed said in every failure. */

/** Integers in [min, max) and fractions in [0, 1) drawn from `seed`; the same seed gives the same sequence. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, fraction: next, int: (min: number, max: number) => Math.floor(min + next() * (max - min)) };
}

/** The seed named by the environment variable `name`, or `fallback`: fixed unless a run asks for another. */
export function seedFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`test: ${name} "${text}" is not an integer`);
  return seed;
}
