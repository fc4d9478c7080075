/** Deterministic PRNG so every bench run generates the same data. */
export { seededRandom as rng } from "@labelbench/geometry";
