/**
 * `npm run bench`: the gateway against a direct call and a minimal Bun passthrough, side by
 * side in one run, in interleaved rounds. Prints a markdown table and each target of issue 7
 * as PASS/MISS, saves every raw number under tmp/bench/, and with --write-results also the
 * markdown under scripts/bench/results/. With `--targets ...,gateway-w2` it also reports the
 * throughput of WORKERS=2 over one process (both unpinned; see targets.ts), without a bound.
 * `npm run bench -- --help` lists the options.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { redactUrlCredentials } from '../../src/telemetry/redact-url-credentials'
import { buildRequest, REQUEST_LANES, rssMb, runCapacityStep, runRequestLane, type LoadContext } from './lanes'
import { describeMachine, machineInfo } from './machine'
import { parseOptions } from './options'
import { cpuMicrosByProcess, freePort, hasTaskset, start, stopAll, waitUntilListening } from './processes'
import { checks, checksTable, LOAD_STEP, Results, resultsTable, scalingTable, type Check, type Row } from './report'
import { BASELINE, builtInTargets, DEFAULT_BINARY, fill, loadTargetsFile, REFERENCE, type TargetSpec } from './targets'
import { wrkPath } from './wrk'

const ROOT = join(import.meta.dir, '..', '..')

interface RunningTarget {
  spec: TargetSpec
  url: string
  pid?: number
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

async function selectTargets(names: string[], targetsFile: string | undefined, binary: string): Promise<TargetSpec[]> {
  const all = [...builtInTargets(binary), ...(targetsFile ? await loadTargetsFile(targetsFile) : [])]
  const wanted = names.length > 0 ? names : all.filter((t) => t.default).map((t) => t.name)
  const find = (name: string) => {
    const spec = all.find((t) => t.name === name)
    if (spec === undefined) throw new Error(`unknown target ${name}; known: ${all.map((t) => t.name).join(', ')}`)
    return spec
  }
  // The baseline and the reference are what every other number is compared with; a scaling target brings its base.
  const withBases = wanted.flatMap((name) => [find(name).scaling?.base, name].filter((n) => n !== undefined))
  const selected = [...new Set([BASELINE, REFERENCE, ...withBases])].map(find)
  return selected.filter((spec) => {
    const why = spec.unavailable?.()
    if (why !== undefined) log(`skipping ${spec.name}: ${why}`)
    return why === undefined
  })
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), wrkPath !== null)
  const runId = new Date().toISOString().replace(/[:.]/g, '-')
  const workDir = join(ROOT, 'tmp', 'bench', runId)
  mkdirSync(workDir, { recursive: true })
  const context: LoadContext = { load: options.load, loadCpus: options.loadCpus, workDir }
  // Checked before the run, not after it: a published run is never overwritten.
  const label = options.writeResults === undefined ? undefined : options.writeResults.replace(/[^a-z0-9._-]+/gi, '-') || 'run'
  const resultsPath = label === undefined ? undefined : join(import.meta.dir, 'results', `${runId.slice(0, 10)}-${label}.md`)
  if (resultsPath !== undefined && existsSync(resultsPath)) throw new Error(`${relative(ROOT, resultsPath)} exists: pick another --write-results label`)
  const binary = options.binary === undefined ? join(ROOT, DEFAULT_BINARY) : resolve(options.binary)
  const specs = await selectTargets(options.targets, options.targetsFile, binary)
  const env = { BUN_CONFIG_MAX_HTTP_REQUESTS: '16384' }
  log(`run ${runId}: ${specs.map((s) => s.name).join(', ')}; load by ${options.load}; cores target ${options.targetCpus ?? 'any'}, load ${options.loadCpus ?? 'any'}`)

  const mockPort = freePort()
  const mock = start({ name: 'mock', argv: [process.execPath, join(import.meta.dir, 'mock-provider.ts')], env: { ...env, PORT: String(mockPort) }, cpus: options.loadCpus, logFile: join(workDir, 'mock.log') })
  const upstream = `http://127.0.0.1:${mockPort}`
  await waitUntilListening(`${upstream}/health`, mock)

  const targets: RunningTarget[] = []
  for (const spec of specs) {
    if (spec.command === undefined) {
      targets.push({ spec, url: upstream, pid: mock.pid })
      continue
    }
    const port = freePort()
    const values = { port, upstream, elasticsearch: options.elasticsearch ?? upstream, bun: process.execPath, binary }
    const filled = Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, fill(v, values)]))
    const child = start({ name: spec.name, argv: spec.command.map((part) => fill(part, values)), env: { ...env, ...filled }, cwd: ROOT, cpus: spec.pin === false ? undefined : options.targetCpus, logFile: join(workDir, `${spec.name}.log`) })
    const url = `http://127.0.0.1:${port}`
    await waitUntilListening(url, child)
    targets.push({ spec, url, pid: child.pid })
  }

  const rows: Row[] = []
  const request = (target: RunningTarget, stream: boolean, paceMs?: number, chunks?: number) =>
    buildRequest(target.url, { format: options.format, stream, paceMs, chunks }, target.spec.headers)
  const memory = new Map<string, Record<string, number>>()
  for (const target of targets) memory.set(target.spec.name, { rssStartMb: await rssMb(target.pid) })

  // Warm up (JIT, connection pools), then rest: "idle" is a process that has served before.
  log('warming up')
  const warmup = { ...REQUEST_LANES[1]!, id: 'warmup' }
  for (const target of targets) {
    await runRequestLane(warmup, request(target, false), target.pid, 1000, options.paceMs, context)
    await runRequestLane({ ...warmup, stream: true }, request(target, true), target.pid, 1000, options.paceMs, context)
  }
  await Bun.sleep(2000)
  for (const target of targets) memory.get(target.spec.name)!.rssIdleMb = await rssMb(target.pid)

  const lanes = REQUEST_LANES.filter((lane) => options.lanes.includes(lane.id))
  for (let round = 0; round < options.rounds; round++) {
    for (const lane of lanes) {
      // Rotate who goes first, so no target always runs right after the same neighbour.
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length]!
        const name = target.spec.name
        try {
          const { metrics, samples } = await runRequestLane(lane, request(target, lane.stream, lane.kind === 'paced' ? options.paceMs : undefined), target.pid, options.durationMs, options.paceMs, context)
          rows.push({ lane: lane.id, target: name, round, metrics, ...(samples !== undefined && { samples }) })
          log(`round ${round + 1}/${options.rounds} ${lane.id} ${name}: ${brief(metrics)}`)
        } catch (error) {
          rows.push({ lane: lane.id, target: name, round, error: String(error instanceof Error ? error.message : error) })
          log(`round ${round + 1}/${options.rounds} ${lane.id} ${name}: ERROR ${rows.at(-1)!.error}`)
        }
        await Bun.sleep(200)
      }
    }
  }

  if (options.lanes.includes('capacity')) {
    // The steps up to LOAD_STEP, where RSS is held to its bound, run once per round (its peak is
    // then a median, not one sample); the larger steps run once, after every round, so the memory
    // they leave behind cannot inflate a smaller step's peak.
    const schedule = [
      ...Array.from({ length: options.rounds }, (_, round) => options.steps.filter((s) => s <= LOAD_STEP).map((streams) => ({ streams, round }))).flat(),
      ...options.steps.filter((s) => s > LOAD_STEP).map((streams) => ({ streams, round: options.rounds - 1 })),
    ]
    // A target that stalls runs no step as large again; in later rounds it still runs the smaller ones.
    const stalledAt = new Map<string, number>()
    for (const { streams, round } of schedule) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length]!
        const name = target.spec.name
        if (streams >= (stalledAt.get(name) ?? Number.POSITIVE_INFINITY)) continue
        const lane = `capacity-${streams}`
        const stepLabel = streams <= LOAD_STEP ? `round ${round + 1}/${options.rounds} ${lane}` : lane
        try {
          const step = () => runCapacityStep(streams, request(target, true, options.paceMs, options.capacityChunks), target.pid, options.paceMs, context)
          let { metrics, error } = await step()
          // One stall can be the load generator's own pause (GC, the shared core): a step fails only twice in a row.
          if (metrics.ok !== 1) {
            log(`${stepLabel} ${name}: ${brief(metrics)}${error ? ` (${error})` : ''}; trying once more`)
            await Bun.sleep(1000)
            ;({ metrics, error } = await step())
            metrics.attempts = 2
          }
          rows.push({ lane, target: name, round, metrics, ...(error !== undefined ? { error } : {}) })
          if (metrics.ok !== 1) stalledAt.set(name, streams)
          log(`${stepLabel} ${name}: ${brief(metrics)}${error ? ` (${error})` : ''}`)
        } catch (error) {
          rows.push({ lane, target: name, round, error: String(error) })
          stalledAt.set(name, streams)
        }
        await Bun.sleep(1000)
      }
    }
  }

  if (options.lanes.includes('memory')) {
    log(`settling ${options.settleMs / 1000} s before the after-load RSS`)
    await Bun.sleep(options.settleMs)
    for (const target of targets) memory.get(target.spec.name)!.rssAfterMb = await rssMb(target.pid)
    for (const [target, metrics] of memory) for (let round = 0; round < options.rounds; round++) rows.push({ lane: 'memory', target, round, metrics })
  }
  const mockStats = (await fetch(`${upstream}/__stats`).then((r) => r.json())) as Record<string, number>
  // Whether every process of a multi-process target served: its CPU time, process by process.
  const processCpu: Record<string, Record<string, number>> = {}
  for (const target of targets) {
    const byProcess = target.pid === undefined || target.spec.command === undefined ? new Map() : await cpuMicrosByProcess(target.pid)
    if (byProcess.size < 2) continue
    processCpu[target.spec.name] = Object.fromEntries([...byProcess].map(([pid, micros]) => [pid, micros / 1e6]))
    log(`${target.spec.name}: CPU seconds since start by process, the started one first: ${[...byProcess].map(([pid, micros]) => `${pid} ${(micros / 1e6).toFixed(2)}`).join(', ')}`)
  }
  await stopAll()

  const results = new Results(rows, options.rounds)
  const names = targets.map((t) => t.spec.name)
  const tableLanes = [...lanes.map((l) => l.id), ...options.lanes.filter((l) => l === 'capacity' || l === 'memory')]
  const allChecks: Check[] = targets.filter((t) => t.spec.checked).flatMap((t) => checks(results, t.spec.name, tableLanes, options.settleMs))
  const scaling = targets.flatMap((t) => (t.spec.scaling === undefined ? [] : [{ target: t.spec.name, ...t.spec.scaling }]))
  const unpinned = targets.filter((t) => t.spec.command !== undefined && t.spec.pin === false).map((t) => `\`${t.spec.name}\``)
  const info = await machineInfo(ROOT, specs.some((s) => s.command?.[0] === '{binary}') ? binary : undefined)
  const command = redactUrlCredentials(`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`)
  const markdown = [
    `Run ${runId}: \`${command}\``,
    '',
    describeMachine(info),
    `- method: ${options.rounds} interleaved round(s) of ${options.durationMs / 1000} s per lane and target; medians of rounds; ` +
      `(x) = ratio to \`${REFERENCE}\` round by round; added = difference to \`${BASELINE}\`; ${options.format} wire format; ` +
      `load by ${options.load}; ` +
      (hasTaskset ? `targets pinned to core ${options.targetCpus ?? 'any'}, mock and load to ${options.loadCpus ?? 'any'}; ` : 'nothing pinned (no taskset: targets, mock and load share every core); ') +
      (hasTaskset && unpinned.length > 0 && options.targetCpus !== undefined ? `${unpinned.join(', ')} not pinned (any core, the mock's and the load's too: their ratios to \`${REFERENCE}\` are not like for like); ` : '') +
      `paced streams: ${options.paceMs} ms between chunks, time to first byte over every round's streams pooled, stall = a first byte or a gap later than ${options.paceMs * 10} ms`,
    '',
    resultsTable(results, names, tableLanes),
    '',
    checksTable(allChecks),
    '',
    ...(scaling.length > 0 ? [scalingTable(results, scaling, tableLanes), ''] : []),
    `Mock provider: ${mockStats.requests} requests, ${mockStats.streams} streams; ` +
      (options.elasticsearch === undefined
        ? `Elasticsearch stand-in: ${mockStats.elasticsearchDocuments} documents in ${mockStats.elasticsearchRequests} requests.`
        : `the -es targets shipped to a real Elasticsearch node (${redactUrlCredentials(options.elasticsearch)}).`),
    '',
  ].join('\n')
  process.stdout.write(`${markdown}\n`)

  const jsonPath = join(ROOT, 'tmp', 'bench', `${runId}.json`)
  await Bun.write(jsonPath, JSON.stringify({ runId, command, options: { ...options, elasticsearch: options.elasticsearch && redactUrlCredentials(options.elasticsearch) }, machine: info, targets: names, rows, checks: allChecks, mock: mockStats, processCpuSeconds: processCpu }, null, 2))
  log(`raw numbers: ${relative(ROOT, jsonPath)}`)
  if (resultsPath !== undefined) {
    mkdirSync(join(import.meta.dir, 'results'), { recursive: true })
    await Bun.write(resultsPath, `# Benchmark: ${label}\n\n${markdown}`)
    log(`results: ${relative(ROOT, resultsPath)}`)
  }
}

function brief(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([key, value]) => `${key}=${Number.isInteger(value) ? value : value.toFixed(3)}`)
    .join(' ')
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void stopAll().then(() => process.exit(130)))
}
try {
  await main()
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
  await stopAll()
  process.exit(1)
}
