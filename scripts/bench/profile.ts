/**
 * Where a target's CPU goes, in microseconds per request: runs one Bun target under
 * `bun --cpu-prof` with one lane of wrk load, then prints the functions with the most self
 * time on the JavaScript thread, divided by the requests served. /proc gives the whole
 * process's CPU per request; the difference is native work on other threads (sockets, fetch).
 *
 *   bun scripts/bench/profile.ts [--target gateway|gateway-es|passthrough] [--entry FILE] [--stream] [--duration S] [--top N]
 *
 * --entry runs another entry file with the target's settings, e.g. a copy of src/ with a change
 * under test, so a proposed change can be profiled before it is made.
 */
import { mkdirSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRequest } from './lanes'
import { cpuMicros, freePort, start, stopAll, waitUntilListening } from './processes'
import { builtInTargets, DEFAULT_BINARY, fill } from './targets'
import { runWrk, wrkPath } from './wrk'

const ROOT = join(import.meta.dir, '..', '..')

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** `name where`: project files by path and line, native frames as [native]. */
function frameKey(node: ProfileNode, line: boolean): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = relative(ROOT, url.replace(/^file:\/\//, ''))
  const where = url === '' ? '[native]' : line ? `${file}:${lineNumber + 1}` : file
  return `${functionName || '(anonymous)'} ${where}`
}

/**
 * Time by function from a Chrome-format .cpuprofile: `self` where the sample landed, `inclusive`
 * for every function on its stack (once per sample, so recursion does not count twice).
 * timeDeltas[i] is the time since the previous sample, the interval that sample i stands for.
 */
export function profileTimes(profile: CpuProfile): { self: Map<string, number>; inclusive: Map<string, number> } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    if (node === undefined) return
    const micros = Math.min(profile.timeDeltas[i] ?? 0, 2_000)
    const key = frameKey(node, true)
    self.set(key, (self.get(key) ?? 0) + micros)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!
      if (frame.callFrame.url === '' || frame.callFrame.url.startsWith('node:') || frame.callFrame.url.startsWith('internal:')) continue
      const name = frameKey(frame, false)
      if (seen.has(name)) continue
      seen.add(name)
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros)
    }
  })
  return { self, inclusive }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      target: { type: 'string', default: 'gateway' },
      entry: { type: 'string' },
      stream: { type: 'boolean', default: false },
      duration: { type: 'string', default: '8' },
      connections: { type: 'string', default: '32' },
      top: { type: 'string', default: '30' },
    },
  })
  if (wrkPath === null) throw new Error('wrk is not installed (apt-get install -y wrk)')
  const spec = builtInTargets().find((t) => t.name === values.target)
  if (spec?.command?.[0] !== '{bun}') throw new Error(`--target must be a Bun target started from source, e.g. gateway or passthrough`)
  const dir = join(ROOT, 'tmp', 'bench', `profile-${values.target}-${Date.now()}`)
  mkdirSync(dir, { recursive: true })
  const env = { BUN_CONFIG_MAX_HTTP_REQUESTS: '16384' }

  const mockPort = freePort()
  const mock = start({ name: 'mock', argv: [process.execPath, join(import.meta.dir, 'mock-provider.ts')], env: { ...env, PORT: String(mockPort) }, cpus: '1' })
  const upstream = `http://127.0.0.1:${mockPort}`
  await waitUntilListening(`${upstream}/health`, mock)
  const port = freePort()
  const values_ = { port, upstream, elasticsearch: upstream, bun: process.execPath, binary: join(ROOT, DEFAULT_BINARY) }
  const argv = [process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250', ...(values.entry === undefined ? spec.command.slice(1) : [values.entry]).map((p) => fill(p, values_))]
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
  const { self, inclusive } = profileTimes(profile)
  const times = [...self].sort((a, b) => b[1] - a[1])
  const totals = [...inclusive].sort((a, b) => b[1] - a[1])
  const jsTotal = times.reduce((sum, [, us]) => sum + us, 0)
  const requests = result.requests
  const row = (key: string, us: number) => {
    const [name, where] = [key.slice(0, key.lastIndexOf(' ')), key.slice(key.lastIndexOf(' ') + 1)]
    return `| ${(us / requests).toFixed(2)} | ${((100 * us) / jsTotal).toFixed(1)}% | \`${name}\` | ${where} |`
  }
  const lines = [
    `${spec.name}, ${values.stream ? '20-chunk streams' : 'JSON'}, wrk -c${values.connections} ${values.duration} s: ${Math.round(result.requests / (result.durationMs / 1000))} req/s`,
    `process CPU ${cpuPerRequest.toFixed(1)} µs/request (/proc); JS thread samples ${(jsTotal / requests).toFixed(1)} µs/request (wall time the JS thread spent in each frame, idle included)`,
    '',
    '| µs/request | share | function | where |',
    '| ---: | ---: | --- | --- |',
    ...times.slice(0, Number(values.top)).map(([key, us]) => row(key, us)),
    '',
    'Inclusive (the function and all it calls), JavaScript functions only:',
    '',
    '| µs/request | share | function | file |',
    '| ---: | ---: | --- | --- |',
    ...totals.slice(0, Number(values.top)).map(([key, us]) => row(key, us)),
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
