/**
 * Child processes of the benchmark: each target, the mock and every load generator is its
 * own process, started on a free loopback port, optionally pinned to a core, read from
 * /proc for CPU and memory, and stopped by its PID.
 */
import type { Subprocess } from 'bun'
import { closeSync, openSync } from 'node:fs'

export interface Child {
  name: string
  pid: number
  stop(): Promise<void>
  exited: Promise<number>
}

const running = new Set<Child>()
const hasTaskset = Bun.which('taskset') !== null

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

/** User + system CPU time of a process so far, in microseconds (`/proc/<pid>/stat`, proc(5)). */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text()
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime: fields 14 and 15 of proc(5)
  return (ticks * 1_000_000) / CLOCK_TICKS
}

/** Resident set size in bytes (`VmRSS` of `/proc/<pid>/status`). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text()
  const kb = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? Number.NaN)
  return kb * 1024
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
