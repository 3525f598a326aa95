/**
 * Where a target's CPU goes, in microseconds per request: runs one Bun target under
 * `bun --cpu-prof` with one lane of wrk load, then prints the functions with the most self
 * time on the JavaScript thread, divided by the requests served. /proc gives the whole
 * process's CPU per request; the difference is native work on other threads (sockets, fetch).
 *
 *   bun scripts/bench/profile.ts [--target gateway|gateway-es|passthrough] [--stream] [--duration S] [--top N]
 */
import { mkdirSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRequest } from './lanes'
import { cpuMicros, freePort, start, stopAll, waitUntilListening } from './processes'
import { BUILT_IN_TARGETS, fill } from './targets'
import { runWrk, wrkPath } from './wrk'

const ROOT = join(import.meta.dir, '..', '..')

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

/** Self samples by function and source line, from a Chrome-format .cpuprofile. */
export function selfTimes(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const micros = new Map<string, number>()
  // timeDeltas[i] is the time since the previous sample: the interval sample i stands for.
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    if (node === undefined) return
    const { functionName, url, lineNumber } = node.callFrame
    const where = url === '' ? '[native]' : `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`
    const key = `${functionName || '(anonymous)'} ${where}`
    micros.set(key, (micros.get(key) ?? 0) + Math.min(profile.timeDeltas[i] ?? 0, 2_000))
  })
  return micros
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      target: { type: 'string', default: 'gateway' },
      stream: { type: 'boolean', default: false },
      duration: { type: 'string', default: '8' },
      connections: { type: 'string', default: '32' },
      top: { type: 'string', default: '30' },
    },
  })
  if (wrkPath === null) throw new Error('wrk is not installed (apt-get install -y wrk)')
  const spec = BUILT_IN_TARGETS.find((t) => t.name === values.target)
  if (spec?.command?.[0] !== '{bun}') throw new Error(`--target must be a Bun target started from source, e.g. gateway or passthrough`)
  const dir = join(ROOT, 'tmp', 'bench', `profile-${values.target}-${Date.now()}`)
  mkdirSync(dir, { recursive: true })
  const env = { BUN_CONFIG_MAX_HTTP_REQUESTS: '16384' }

  const mockPort = freePort()
  const mock = start({ name: 'mock', argv: [process.execPath, join(import.meta.dir, 'mock-provider.ts')], env: { ...env, PORT: String(mockPort) }, cpus: '1' })
  const upstream = `http://127.0.0.1:${mockPort}`
  await waitUntilListening(`${upstream}/health`, mock)
  const port = freePort()
  const values_ = { port, upstream, elasticsearch: upstream, bun: process.execPath }
  const argv = [process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250', ...spec.command.slice(1).map((p) => fill(p, values_))]
  const targetEnv = Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, fill(v, values_)]))
  const target = start({ name: spec.name, argv, env: { ...env, ...targetEnv }, cwd: ROOT, cpus: '0', logFile: join(dir, 'target.log') })
  const url = `http://127.0.0.1:${port}`
  await waitUntilListening(url, target)

  const request = buildRequest(url, { format: 'openai', stream: values.stream! })
  const before = await cpuMicros(target.pid)
  const result = await runWrk({ request, connections: Number(values.connections), durationMs: Number(values.duration) * 1000, cpus: '1', scriptDir: dir })
  const cpuPerRequest = ((await cpuMicros(target.pid)) - before) / result.requests
  await target.stop()
  await stopAll()

  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir} (did the target exit cleanly on SIGTERM?)`)
  const profile = await Bun.file(join(dir, file)).json()
  // The profile spans start-up and the load; nearly all of it is the load.
  const times = [...selfTimes(profile)].sort((a, b) => b[1] - a[1])
  const jsTotal = times.reduce((sum, [, us]) => sum + us, 0)
  const requests = result.requests
  const lines = [
    `${spec.name}, ${values.stream ? '20-chunk streams' : 'JSON'}, wrk -c${values.connections} ${values.duration} s: ${Math.round(result.requests / (result.durationMs / 1000))} req/s`,
    `process CPU ${cpuPerRequest.toFixed(1)} µs/request (/proc); JS thread samples ${(jsTotal / requests).toFixed(1)} µs/request (wall time the JS thread spent in each frame, idle included)`,
    '',
    '| µs/request | share | function | where |',
    '| ---: | ---: | --- | --- |',
    ...times.slice(0, Number(values.top)).map(([key, us]) => {
      const [name, where] = [key.slice(0, key.lastIndexOf(' ')), key.slice(key.lastIndexOf(' ') + 1)]
      return `| ${(us / requests).toFixed(2)} | ${((100 * us) / jsTotal).toFixed(1)}% | \`${name}\` | ${where} |`
    }),
  ]
  process.stdout.write(`${lines.join('\n')}\n\nprofile: ${relative(ROOT, join(dir, file))}\n`)
}

if (import.meta.main) {
  try {
    await main()
  } catch (error) {
    process.stderr.write(`profile: ${error instanceof Error ? error.message : String(error)}\n`)
    await stopAll()
    process.exit(1)
  }
}
