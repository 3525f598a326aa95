/**
 * Child processes of the benchmark: each target, the mock and every load generator is its
 * own process, started on a free loopback port, optionally pinned to a core, read from
 * /proc for CPU and memory, and stopped by its PID. CPU and memory are summed over the
 * process and its descendants, so a target that serves from several processes (the
 * gateway with WORKERS=2: a supervisor and its workers) is measured whole.
 */
import type { Subprocess } from 'bun'
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs'

export interface Child {
  name: string
  pid: number
  stop(): Promise<void>
  exited: Promise<number>
}

const running = new Set<Child>()
/** Without taskset nothing is pinned, whatever was asked: the report says so. */
export const hasTaskset = Bun.which('taskset') !== null

/** A port that was free a moment ago (the kernel hands out ephemeral ports in sequence). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = listener.port
  listener.stop(true)
  return port
}

/** Prefixes argv with `taskset -c CPUS` when pinning is asked for and possible. */
export function pinned(argv: string[], cpus: string | undefined): string[] {
  return cpus !== undefined && hasTaskset ? ['taskset', '-c', cpus, ...argv] : argv
}

export interface StartOptions {
  name: string
  argv: string[]
  env?: Record<string, string>
  cwd?: string
  cpus?: string
  /** Where stdout/stderr go; the targets' logs are kept for a look after a failed run. */
  logFile?: string
}

export function start(options: StartOptions): Child {
  const output = options.logFile === undefined ? 'ignore' : openSync(options.logFile, 'a')
  // taskset execs the command: the PID we get is the target's own, which /proc needs.
  const proc: Subprocess = Bun.spawn(pinned(options.argv, options.cpus), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: 'ignore',
    stdout: output,
    stderr: output,
  })
  if (typeof output === 'number') closeSync(output)
  const child: Child = {
    name: options.name,
    pid: proc.pid,
    exited: proc.exited,
    async stop() {
      running.delete(child)
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const gone = await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)])
      if (!gone) proc.kill('SIGKILL')
      await proc.exited
    },
  }
  running.add(child)
  return child
}

/** Stops every child still running (on the way out, also after a failure or Ctrl-C). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()))
}

/** Waits until `url` answers anything at all (a 404 is fine: the socket is up). */
export async function waitUntilListening(url: string, child: Child, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  let exited = false
  void child.exited.then(() => (exited = true))
  for (;;) {
    if (exited) throw new Error(`${child.name} exited before listening (see its log under tmp/bench/)`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      return
    } catch {
      if (performance.now() > deadline) throw new Error(`${child.name} did not listen on ${url} within ${timeoutMs} ms`)
      await Bun.sleep(50)
    }
  }
}

const CLOCK_TICKS = Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100

/**
 * `pid` and every live descendant, `pid` first. The kernel lists each thread's children in
 * `/proc/<pid>/task/<tid>/children` (proc(5)); a kernel without that file gets a scan of
 * every `/proc/<n>/stat` for parent PIDs instead.
 */
export function processTree(pid: number): number[] {
  const childrenOf = existsSync(`/proc/${pid}/task/${pid}/children`) ? childrenFromTasks : childrenFromScan()
  const tree: number[] = []
  const pending = [pid]
  while (pending.length > 0) {
    const next = pending.shift()!
    if (tree.includes(next)) continue
    tree.push(next)
    pending.push(...childrenOf(next))
  }
  return tree
}

function childrenFromTasks(pid: number): number[] {
  return readOr(() => readdirSync(`/proc/${pid}/task`), []).flatMap((tid) =>
    readOr(() => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'), '').split(' ').filter(Boolean).map(Number),
  )
}

function childrenFromScan(): (pid: number) => number[] {
  const byParent = new Map<number, number[]>()
  for (const entry of readOr(() => readdirSync('/proc'), [])) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readOr(() => readFileSync(`/proc/${entry}/stat`, 'utf8'), '')
    if (stat === '') continue
    const ppid = Number(statFields(stat)[1]) // field 4 of proc(5)
    byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)])
  }
  return (pid) => byParent.get(pid) ?? []
}

/** A process may exit between listing and reading: it then counts as gone, not as an error. */
function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read()
  } catch {
    return fallback
  }
}

/** The fields of `/proc/<pid>/stat` after the command name, which may itself hold spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/**
 * CPU time so far of each process of the tree of `pid`, in microseconds: user + system, plus
 * the children it has reaped (a worker that exited and was replaced still counts).
 */
export async function cpuMicrosByProcess(pid: number): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  for (const member of processTree(pid)) {
    const stat = await Bun.file(`/proc/${member}/stat`).text().catch(() => '')
    if (stat === '' && member !== pid) continue
    if (stat === '') throw new Error(`process ${pid} is gone`)
    const fields = statFields(stat)
    // utime, stime, cutime, cstime: fields 14 to 17 of proc(5)
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    out.set(member, (ticks * 1_000_000) / CLOCK_TICKS)
  }
  return out
}

/** CPU time of `pid` and its descendants so far, in microseconds (`/proc/<pid>/stat`, proc(5)). */
export async function cpuMicros(pid: number): Promise<number> {
  let total = 0
  for (const micros of (await cpuMicrosByProcess(pid)).values()) total += micros
  return total
}

/**
 * Resident set size in bytes (`VmRSS` of `/proc/<pid>/status`), summed over `pid` and its
 * descendants: pages the processes share (the Bun binary) count once per process, as in `ps`.
 */
export async function rssBytes(pid: number): Promise<number> {
  let total = 0
  for (const member of processTree(pid)) {
    const status = await Bun.file(`/proc/${member}/status`).text().catch(() => '')
    if (status === '' && member !== pid) continue
    if (status === '') throw new Error(`process ${pid} is gone`)
    total += Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? Number.NaN) * 1024
  }
  return total
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: number, everyMs = 100): { stop(): Promise<number> } {
  let peak = 0
  let sampling = true
  const loop = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssBytes(pid).catch(() => 0))
      await Bun.sleep(everyMs)
    }
  })()
  return {
    async stop() {
      sampling = false
      await loop
      return peak
    },
  }
}
