import { readdirSync, readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

/** A JSON log line of the gateway (`createLogger` writes one object per line on stderr). */
export type LogLine = Record<string, unknown> & { msg: string }

export interface BinaryProcess {
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  pid: number
  /** Every JSON log line so far, from this process and any worker it started. */
  logs: LogLine[]
  /** Non-JSON stderr lines (crashes, Bun's own messages), for failure messages. */
  otherOutput: string[]
  /** Resolves with the first log line matching; rejects after `timeoutMs` naming what it saw. */
  waitForLog(matches: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>
  exited: Promise<number>
}

export interface StartOptions {
  cwd: string
  env?: Record<string, string>
  uid?: number
  gid?: number
}

/** Starts a command whose stderr carries the gateway's JSON log lines, and collects them. */
export function startBinary(cmd: string[], options: StartOptions): BinaryProcess {
  const child = Bun.spawn({
    cmd,
    cwd: options.cwd,
    env: options.env ?? {},
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogLine[] = []
  const otherOutput: string[] = []
  const waiters = new Set<() => void>()
  void (async () => {
    let pending = ''
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (pending + text).split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line) as LogLine)
        } catch {
          otherOutput.push(line)
        }
      }
      for (const wake of waiters) wake()
    }
  })()

  function waitForLog(matches: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.find(matches)
        if (!found) return
        cleanup()
        resolve(found)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no such log line within ${timeoutMs} ms; saw:\n${[...logs.map((l) => JSON.stringify(l)), ...otherOutput].join('\n')}`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })
  }

  return { process: child, pid: child.pid, logs, otherOutput, waitForLog, exited: child.exited }
}

/** A loopback port nobody listens on right now (bound on port 0, read, released). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = listener
  listener.stop(true)
  return port
}

/** Process ids of the direct children of `pid`, from /proc. */
export function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  )
}

export function environmentOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]))
}

/** Whether `pid` is a running process (a zombie waiting to be reaped does not count). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}
