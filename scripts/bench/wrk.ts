/**
 * wrk (https://github.com/wg/wrk) as the load generator for request/response lanes: a small
 * C program that leaves the CPU to the target. A Lua `done` hook prints the numbers as JSON,
 * in microseconds, so nothing is parsed out of its human-readable report.
 */
import { mkdirSync } from 'node:fs'
import type { ClosedResult, RequestSpec } from './load-client'
import { pinned } from './processes'

export const wrkPath = Bun.which('wrk')

const MARKER = 'WRK_RESULT '

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

function script(request: RequestSpec): string {
  const headers = Object.entries(request.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`)
  return `wrk.method = "POST"
wrk.body = ${luaString(request.body)}
${headers.join('\n')}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARKER}{"requests":%d,"duration_us":%d,"errors":%d,"status":%d,"mean":%.3f,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`
}

export interface WrkOptions {
  request: RequestSpec
  connections: number
  durationMs: number
  cpus?: string
  scriptDir: string
}

export async function runWrk(options: WrkOptions): Promise<ClosedResult> {
  if (wrkPath === null) throw new Error('wrk is not installed')
  mkdirSync(options.scriptDir, { recursive: true })
  const scriptPath = `${options.scriptDir}/wrk-${Bun.hash(options.request.body + JSON.stringify(options.request.headers)).toString(36)}.lua`
  await Bun.write(scriptPath, script(options.request))
  const argv = [wrkPath, '-t1', `-c${options.connections}`, `-d${Math.max(1, Math.round(options.durationMs / 1000))}s`, '--timeout', '10s', '-s', scriptPath, options.request.url]
  const proc = Bun.spawn(pinned(argv, options.cpus), { stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  await proc.exited
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER))
  if (line === undefined) throw new Error(`wrk printed no result (exit ${proc.exitCode}): ${stderr || stdout}`)
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, number>
  const ms = (us: number) => us / 1000
  const errors = raw.errors! + raw.status!
  return {
    requests: raw.requests! - raw.status!,
    errors,
    durationMs: ms(raw.duration_us!),
    latencyMs: { count: raw.requests!, mean: ms(raw.mean!), p50: ms(raw.p50!), p90: ms(raw.p90!), p99: ms(raw.p99!), max: ms(raw.max!) },
  }
}
