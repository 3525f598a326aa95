/**
 * Start-up time and size of the executable, with and without `--bytecode`.
 *
 *   npm run bench:startup [-- --rounds 20]
 *
 * Builds both variants into tmp/bench-startup/, then starts each one `rounds` times,
 * interleaved, from an empty folder on a free loopback port, and times from spawn to the
 * "listening" log line (written right after the port is bound, so the re-exec that raises
 * Bun's fetch limit is included). One more row starts the binary with that limit already
 * in the environment, which skips the re-exec; one starts from source for comparison.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildBinary } from '../build'
import { median, percentile } from './stats'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } })
const rounds = Number(values.rounds)
const root = new URL('../../', import.meta.url).pathname
const outDir = join(root, 'tmp', 'bench-startup')
mkdirSync(outDir, { recursive: true })

const withBytecode = join(outDir, 'ai-gateway-bytecode')
const withoutBytecode = join(outDir, 'ai-gateway-no-bytecode')
await buildBinary({ outfile: withBytecode, bytecode: true })
await buildBinary({ outfile: withoutBytecode, bytecode: false })

interface Variant {
  name: string
  command: string[]
  env?: Record<string, string>
  size?: number
}

const variants: Variant[] = [
  { name: 'binary, --bytecode', command: [withBytecode], size: statSync(withBytecode).size },
  { name: 'binary, no --bytecode', command: [withoutBytecode], size: statSync(withoutBytecode).size },
  { name: 'binary, --bytecode, no re-exec', command: [withBytecode], env: { BUN_CONFIG_MAX_HTTP_REQUESTS: '16384' }, size: statSync(withBytecode).size },
  { name: 'source (bun src/main.ts)', command: [process.execPath, join(root, 'src/main.ts')] },
]

function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = listener
  listener.stop(true)
  return port
}

/** Milliseconds from spawn to the "listening" line; the process is killed after. */
async function startOnce(variant: Variant, cwd: string): Promise<number> {
  const started = performance.now()
  const child = Bun.spawn({
    cmd: variant.command,
    cwd,
    env: { PORT: String(freePort()), HOST: '127.0.0.1', ...variant.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let seen = ''
  for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
    seen += text
    if (seen.includes('"msg":"listening"')) break
  }
  const elapsed = performance.now() - started
  child.kill('SIGKILL')
  await child.exited
  if (!seen.includes('"msg":"listening"')) throw new Error(`${variant.name} did not start:\n${seen}`)
  return elapsed
}

const empty = mkdtempSync(join(tmpdir(), 'ai-gateway-startup-'))
const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]))
try {
  for (const variant of variants) await startOnce(variant, empty) // warm the page cache
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples.get(variant.name)!.push(await startOnce(variant, variant.command[0] === process.execPath ? root : empty))
  }
} finally {
  rmSync(empty, { recursive: true, force: true })
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
console.log(`\nstart to listening, ${rounds} rounds, ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}\n`)
console.log('| variant | median ms | p90 ms | size MiB |')
console.log('|---|---:|---:|---:|')
for (const variant of variants) {
  const times = samples.get(variant.name)!
  console.log(`| ${variant.name} | ${median(times).toFixed(1)} | ${percentile(times, 90).toFixed(1)} | ${variant.size ? mib(variant.size) : '-'} |`)
}
