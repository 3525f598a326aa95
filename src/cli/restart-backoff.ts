/** How the supervisor restarts a worker that exited without being asked to. */
export interface RestartPolicy {
  /** Delay before the first restart; it doubles with each failure in a row. */
  initialDelayMs: number
  maxDelayMs: number
  /** A worker that ran this long before exiting starts a fresh count of failures. */
  stableAfterMs: number
  /** After this many failures in a row the supervisor gives up and stops with exit code 1. */
  maxFailures: number
}

/**
 * Giving up lets the service manager (systemd `Restart=on-failure`, a container restart
 * policy) see a gateway that cannot run, instead of a supervisor looping forever on a
 * worker that dies at start (a port taken by another program, a broken host).
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  stableAfterMs: 30_000,
  maxFailures: 8,
}

/** Delay before restarting after `failures` (1 or more) failures in a row. */
export function restartDelayMs(failures: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  const exponent = Math.max(0, failures - 1)
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 30))
}

/** Failures in a row after a worker exits: a long run forgives the earlier ones. */
export function nextFailureCount(previous: number, ranForMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  return ranForMs >= policy.stableAfterMs ? 1 : previous + 1
}
