/** Command-line options of `npm run bench`; every default is for the full run. */
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import type { MockFormat } from './mock-wire'

export interface BenchOptions {
  rounds: number
  durationMs: number
  /** Lane ids to run (see lanes.ts), plus `capacity` and `memory`. */
  lanes: string[]
  /** Target names; empty means the default selection. */
  targets: string[]
  targetsFile?: string
  /** The compiled gateway for the -bin targets, as given (relative to the working directory); default dist/ai-gateway of the repository. */
  binary?: string
  format: MockFormat
  /** Concurrent paced streams to try, ascending: those up to 1,000 in every round, the larger once after them; a target stops at its first stall. */
  steps: number[]
  /** Chunks per stream in the capacity lane (at `paceMs`, 100 chunks keep a stream open 2 s). */
  capacityChunks: number
  paceMs: number
  settleMs: number
  /** Cores for the targets and for the mock and load generators; undefined = no pinning. */
  targetCpus?: string
  loadCpus?: string
  load: 'wrk' | 'bun'
  /** A real Elasticsearch node for the -es targets, instead of the mock's `_bulk` stand-in. */
  elasticsearch?: string
  /** Write the markdown into scripts/bench/results/, under this label. */
  writeResults?: string
  quick: boolean
}

const USAGE = `npm run bench -- [options]

  --quick                 smoke check in about a minute (1 round of 1 s, steps 250,1000, 5 s settle)
  --rounds N              interleaved rounds per lane, capacity steps up to 1000 included (default 3)
  --duration S            seconds per lane, target and round (default 10)
  --lanes a,b             json-c1,json-c32,json-c128,stream-c32,stream-c128,paced,capacity,memory (default all)
  --targets a,b           direct,passthrough,floor,gateway,gateway-bin,gateway-es,gateway-bin-es,gateway-w1,
                          gateway-w2 and extra ones (default: direct,passthrough,gateway,gateway-bin when
                          built, extra ones); gateway-w2 (WORKERS=2) brings gateway-w1 (one process), both
                          unpinned, and a "WORKERS=2 scaling" table: throughput w2 / w1, no bound; floor is
                          the gateway's guarantees for a JSON request inlined (scripts/bench/floor.ts)
  --targets-file FILE     JSON array of extra targets (see scripts/bench/targets.ts)
  --binary PATH           compiled gateway for the -bin targets (default dist/ai-gateway)
  --format F              openai | anthropic wire format (default openai)
  --steps a,b             concurrent paced streams to try, up to 1000 in every round (default 250,500,1000,2000)
  --settle S              seconds of rest before the after-load RSS (default 60)
  --pace MS               milliseconds between paced chunks (default 20)
  --cpus T/L              cores for targets / for mock and load, e.g. 0/1 (default 0/1.. when there are 2+);
                          gateway-w1 and gateway-w2 are never pinned
  --no-pin                no taskset
  --load wrk|bun          load generator for request lanes (default wrk when installed)
  --elasticsearch URL     the -es targets ship to this node (e.g. the last line of scripts/elasticsearch/start.sh)
                          instead of the mock's _bulk stand-in; it shares the machine's cores with everything else
  --write-results LABEL   also write the markdown to scripts/bench/results/<date>-LABEL.md
`

export function parseOptions(argv: string[], wrkInstalled: boolean): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      lanes: { type: 'string' },
      targets: { type: 'string' },
      'targets-file': { type: 'string' },
      binary: { type: 'string' },
      format: { type: 'string', default: 'openai' },
      steps: { type: 'string' },
      settle: { type: 'string' },
      pace: { type: 'string', default: '20' },
      cpus: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      load: { type: 'string' },
      elasticsearch: { type: 'string' },
      'write-results': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  const quick = values.quick!
  const format = values.format
  if (format !== 'openai' && format !== 'anthropic') throw new Error(`--format: expected openai or anthropic, got ${format}`)
  const load = values.load ?? (wrkInstalled ? 'wrk' : 'bun')
  if (load !== 'wrk' && load !== 'bun') throw new Error(`--load: expected wrk or bun, got ${load}`)
  if (load === 'wrk' && !wrkInstalled) throw new Error('--load wrk: wrk is not installed (apt-get install -y wrk)')
  const [targetCpus, loadCpus] = values['no-pin'] ? [undefined, undefined] : cpuSplit(values.cpus)
  return {
    quick,
    rounds: count(values.rounds ?? (quick ? '1' : '3'), '--rounds'),
    durationMs: positive(values.duration ?? (quick ? '1' : '10'), '--duration') * 1000,
    lanes: list(values.lanes) ?? ['json-c1', 'json-c32', 'json-c128', 'stream-c32', 'stream-c128', 'paced', 'capacity', 'memory'],
    targets: list(values.targets) ?? [],
    targetsFile: values['targets-file'],
    binary: values.binary,
    format,
    steps: [...new Set((list(values.steps) ?? (quick ? ['250', '1000'] : ['250', '500', '1000', '2000'])).map((s) => count(s, '--steps')))].sort((a, b) => a - b),
    capacityChunks: quick ? 50 : 100,
    paceMs: positive(values.pace!, '--pace'),
    settleMs: positive(values.settle ?? (quick ? '5' : '60'), '--settle') * 1000,
    targetCpus,
    loadCpus,
    load,
    elasticsearch: values.elasticsearch === undefined ? undefined : new URL(values.elasticsearch).href.replace(/\/$/, ''),
    writeResults: values['write-results'],
  }
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean)
}

function positive(text: string, flag: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag}: expected a positive number, got ${text}`)
  return value
}

function count(text: string, flag: string): number {
  const value = positive(text, flag)
  if (!Number.isInteger(value)) throw new Error(`${flag}: expected a whole number, got ${text}`)
  return value
}

/** Targets on the first core, everything else on the rest: the target never shares a core with its load. */
function cpuSplit(spec: string | undefined): [string | undefined, string | undefined] {
  if (spec !== undefined) {
    const [target, load] = spec.split('/')
    if (!target || !load) throw new Error(`--cpus: expected TARGET/LOAD core lists, e.g. 0/1, got ${spec}`)
    return [target, load]
  }
  const cores = availableParallelism()
  if (cores < 2) return [undefined, undefined]
  return ['0', cores === 2 ? '1' : `1-${cores - 1}`]
}
