import { readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

/**
 * The gateway as users run it: `bun src/main.ts` in its own process, configured by the
 * environment only, on a free loopback port. Its JSON log lines are collected from stderr.
 */
export interface GatewayProcess {
  url: string
  pid: number
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  /** Every stderr line, JSON or not (LOG_LEVEL must be info or more verbose: start-up waits for "listening"). */
  logLines: string[]
  /** Resident set size of the process in bytes, from /proc. */
  rss(): number
  /** SIGTERM, then waits for the exit code. */
  terminate(): Promise<number>
  exited: Promise<number>
}

const ENTRY = new URL('../../src/main.ts', import.meta.url).pathname
const ROOT = new URL('../../', import.meta.url).pathname

export async function startGatewayProcess(env: Record<string, string>, timeoutMs = 15_000): Promise<GatewayProcess> {
  const child = Bun.spawn({
    cmd: [process.execPath, ENTRY],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logLines: string[] = []
  const { promise: listening, resolve: resolveUrl } = Promise.withResolvers<string>()
  void (async () => {
    let pending = ''
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (pending + text).split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        logLines.push(line)
        if (line.includes('"msg":"listening"')) resolveUrl(JSON.parse(line).url)
      }
    }
  })()
  const timeout = Bun.sleep(timeoutMs).then(() => null)
  const url = await Promise.race([listening, timeout, child.exited.then(() => null)])
  if (url === null) {
    child.kill()
    throw new Error(`gateway did not start:\n${logLines.join('\n')}`)
  }
  return {
    url,
    pid: child.pid,
    process: child,
    logLines,
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    async terminate() {
      child.kill('SIGTERM')
      return child.exited
    },
    exited: child.exited,
  }
}
