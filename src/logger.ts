import type { LogLevel } from './config/schema'
import { LOG_LEVELS } from './config/schema'

export type LogFields = Record<string, unknown>

export interface Logger {
  error(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  debug(message: string, fields?: LogFields): void
  /** Whether a level would be written: lets callers skip building fields nobody reads. */
  enabled(level: LogLevel): boolean
}

/**
 * One JSON object per line on stderr. Callers pass facts, never headers or bodies:
 * secrets (API keys, AWS credentials, passwords) have no way into a log line.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const enabled = (at: LogLevel) => LOG_LEVELS.indexOf(at) <= threshold
  const emit = (at: LogLevel) =>
    function log(message: string, fields?: LogFields) {
      if (!enabled(at)) return
      write(JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...fields }))
    }
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug'), enabled }
}

export const silentLogger: Logger = createLogger('error', () => {})
