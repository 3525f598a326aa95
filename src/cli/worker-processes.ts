import type { Subprocess } from 'bun'
import type { GatewayConfig } from '../config/load-config'
import type { Logger } from '../logger'
import { runtimeEnvironment } from '../runtime-environment'
import { startMetricsServer } from '../server/metrics-server'
import { createSupervisorMetrics, type MetricsPeer, type SupervisorMetrics } from './cluster-metrics'
import { selfCommand } from './self-command'
import { createSupervisor, type WorkerProcess } from './supervisor'

/** Set by the supervisor on each worker it starts (the worker's index); never set by users. */
export const WORKER_ENV = 'AI_GATEWAY_WORKER'
/** Set by the supervisor on each worker it starts: its own PID. */
const SUPERVISOR_ENV = 'AI_GATEWAY_SUPERVISOR_PID'

/** `WORKERS=auto` means one worker per CPU core this process may use. */
export function resolveWorkerCount(workers: number | 'auto', cores: number): number {
  return workers === 'auto' ? Math.max(1, cores) : workers
}

/**
 * The supervisor process of `WORKERS` > 1: starts the workers (this same program, which
 * then serves with `reusePort`), forwards SIGTERM/SIGINT, and exits when all have drained.
 *
 * Workers run in their own session, so a terminal's Ctrl-C reaches only the supervisor,
 * which forwards it once: a worker seeing the signal twice would skip its drain. For the
 * same reason the systemd unit uses `KillMode=mixed`.
 */
export function superviseWorkers(count: number, config: GatewayConfig, logger: Logger): void {
  const command = selfCommand()
  const env = runtimeEnvironment(process.env)
  logger.info('starting workers', { workers: count, pid: process.pid })
  const peers = new Map<number, MetricsPeer>()
  const metrics = createSupervisorMetrics(() => supervisor.pids().flatMap((pid) => peers.get(pid) ?? []))
  if (config.metrics.enabled && config.metrics.port !== null) {
    // METRICS_PORT: the workers' summed metrics, served by the supervisor, which outlives them.
    // Bound before any worker starts: a port that is taken stops the start with nothing left behind.
    const server = startMetricsServer(metrics.text, config.host, config.metrics.port)
    logger.info('metrics listening', { url: `http://${server.hostname}:${server.port}/metrics` })
  }
  const supervisor = createSupervisor({
    count,
    logger,
    startWorker: (index) => spawnWorker(command, { ...env, [WORKER_ENV]: String(index), [SUPERVISOR_ENV]: String(process.pid) }, metrics, peers),
  })
  process.on('SIGTERM', () => supervisor.stop('SIGTERM'))
  process.on('SIGINT', () => supervisor.stop('SIGINT'))
  // Unhandled, SIGHUP would end the supervisor; the workers decide what it means (reload).
  process.on('SIGHUP', () => supervisor.forward('SIGHUP'))
  void supervisor.done.then((code) => {
    logger.info('stopped', { code })
    process.exit(code)
  })
}

/** A worker process, with an IPC channel for its share of `/metrics` (cluster-metrics.ts). */
function spawnWorker(command: string[], env: Record<string, string | undefined>, metrics: SupervisorMetrics, peers: Map<number, MetricsPeer>): WorkerProcess {
  const child: Subprocess = Bun.spawn({
    cmd: command,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
    ipc: (message, from) => metrics.onMessage(message, peerOf(from)),
  })
  const peerOf = (worker: Subprocess): MetricsPeer => ({
    pid: worker.pid,
    send(message) {
      // A worker that just died has no channel left; its exit takes it out of the collection.
      try {
        worker.send(message)
      } catch {}
    },
  })
  peers.set(child.pid, peerOf(child))
  void child.exited.then(() => {
    peers.delete(child.pid)
    metrics.workerExited(child.pid)
  })
  return {
    pid: child.pid,
    exited: child.exited.then(() => ({ code: child.exitCode, signal: child.signalCode === null ? null : String(child.signalCode) })),
    kill: (signal) => child.kill(signal),
  }
}

/**
 * A worker whose supervisor died (SIGKILL, OOM) is re-parented; it then drains and exits
 * rather than holding the port with nobody left to stop it. The supervisor names itself in the
 * environment: one that died before the worker got this far would otherwise be taken for
 * whatever adopted it.
 */
export function stopWhenOrphaned(stop: (reason: string) => void, intervalMs = 1000): void {
  const parent = Number(process.env[SUPERVISOR_ENV]) || process.ppid
  if (process.ppid !== parent) return stop('supervisor gone')
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    stop('supervisor gone')
  }, intervalMs)
  timer.unref()
}
