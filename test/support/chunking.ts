/**
 * Ways to cut one byte sequence into network chunks: whole, byte by byte, every single
 * split point, and seeded random chunkings. A parser must give the same result for all.
 */
export function* splitEverywhere(bytes: Uint8Array, randomRounds = 20, seed = 42): Generator<Uint8Array[]> {
  yield [bytes]
  yield Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
  for (let at = 1; at < bytes.length; at++) yield [bytes.subarray(0, at), bytes.subarray(at)]
  yield* randomChunkings(bytes, randomRounds, seed)
}

export function* randomChunkings(bytes: Uint8Array, rounds: number, seed = 42): Generator<Uint8Array[]> {
  const random = seededRandom(seed)
  for (let round = 0; round < rounds; round++) {
    const chunks: Uint8Array[] = []
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(random() * 24)
      chunks.push(bytes.subarray(at, at + size))
      at += size
    }
    yield chunks
  }
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
