/**
 * CPU per chunk of a stream step, measured in this process: the chunks are pushed through
 * (or past) the step in full, several rounds, and the median of rounds is kept. Used by the
 * translation benchmarks to compare a translator with an identity TransformStream.
 */

/** CPU time of this process so far, in µs. */
export const cpuMicros = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** Reads `chunks` through `transform` (or straight, when null) to the end; returns the bytes read. */
export async function pump(chunks: Uint8Array[], transform: TransformStream<Uint8Array, Uint8Array> | null): Promise<number> {
  let index = 0
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]!)
      else controller.close()
    },
  })
  const reader = (transform === null ? source : source.pipeThrough(transform)).getReader()
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return bytes
    bytes += value.byteLength
  }
}

/** Median CPU µs per chunk of `run` over `rounds` rounds, after one warm-up run. */
export async function cpuPerChunk(chunkCount: number, rounds: number, run: () => Promise<unknown> | unknown): Promise<number> {
  await run()
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    const start = cpuMicros()
    await run()
    samples.push((cpuMicros() - start) / chunkCount)
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
}
