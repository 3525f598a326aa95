/** What a published number needs next to it: the machine, the versions and the command. */
import { statSync } from 'node:fs'
import { availableParallelism, cpus, release, totalmem } from 'node:os'
import { relative } from 'node:path'
import { wrkPath } from './wrk'

export interface MachineInfo {
  cpu: string
  cores: number
  memoryGb: number
  kernel: string
  bun: string
  elysia: string
  gateway: string
  wrk: string
  /** `--version` of the compiled gateway measured, and whether src/ changed after it was built. */
  binary?: string
}

function firstLine(argv: string[]): string {
  try {
    const result = Bun.spawnSync(argv, { stdout: 'pipe', stderr: 'pipe' })
    return (result.stdout.toString() + result.stderr.toString()).trim().split('\n')[0] ?? ''
  } catch {
    return ''
  }
}

export async function machineInfo(root: string, binary?: string): Promise<MachineInfo> {
  const packageVersion = async (path: string) => ((await Bun.file(path).json().catch(() => ({}))) as { version?: string }).version ?? '?'
  const commit = firstLine(['git', '-C', root, 'rev-parse', '--short', 'HEAD'])
  const dirty = firstLine(['git', '-C', root, 'status', '--porcelain', '--', 'src']) !== '' ? '+uncommitted src' : ''
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    bun: Bun.version,
    elysia: await packageVersion(`${root}/node_modules/elysia/package.json`),
    gateway: `${await packageVersion(`${root}/package.json`)} (${commit}${dirty})`,
    wrk: wrkPath === null ? 'not installed' : firstLine([wrkPath, '-v']).split(' [')[0] ?? 'wrk',
    ...(binary === undefined ? {} : { binary: describeBinary(root, binary) }),
  }
}

/**
 * A binary built from other code than src/ holds now measures old code: say so next to its
 * numbers. Its `--version` names the commit it was built from (`-dirty` with uncommitted
 * changes), compared with HEAD's src/ and lock file; a binary without one is judged by its age
 * against the last commit to src/.
 */
function describeBinary(root: string, binary: string): string {
  const version = firstLine([binary, '--version'])
  const head = firstLine(['git', '-C', root, 'rev-parse', 'HEAD'])
  const sourceDirty = firstLine(['git', '-C', root, 'status', '--porcelain', '--', 'src']) !== ''
  const built = version.match(/\(([0-9a-f]{7,40})(-dirty)?\)/)
  let stale: string | null
  // Outside a git checkout nothing can be compared.
  if (head === '') stale = null
  else if (built === null) {
    const lastSourceCommit = Number(firstLine(['git', '-C', root, 'log', '-1', '--format=%ct', '--', 'src']))
    stale = statSync(binary).mtimeMs / 1000 < lastSourceCommit ? 'built before the last commit to src/' : null
  } else if (!head.startsWith(built[1]!) && !sameCode(root, built[1]!)) stale = `built from ${built[1]}, and src/ or the dependencies changed by HEAD (${head.slice(0, 12)})`
  else stale = sourceDirty && built[2] === undefined ? 'src/ has uncommitted changes since' : null
  // A `-dirty` build had uncommitted changes somewhere (a README edit will do): whether they were
  // src/'s as it is now cannot be told, so it is said, not judged.
  const dirty = built?.[2] !== undefined && stale === null ? ' (built with uncommitted changes: compare with care)' : ''
  return `${relative(root, binary)}: ${version}${stale === null ? dirty : ` (STALE: ${stale})`}`
}

/** Whether `commit` and HEAD hold the same src/ and dependencies (an unknown commit does not). */
function sameCode(root: string, commit: string): boolean {
  return Bun.spawnSync(['git', '-C', root, 'diff', '--quiet', commit, 'HEAD', '--', 'src', 'package-lock.json'], { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0
}

export function describeMachine(info: MachineInfo): string {
  return [
    `- machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, Linux ${info.kernel}`,
    `- versions: Bun ${info.bun}, Elysia ${info.elysia}, ai-gateway ${info.gateway}, ${info.wrk}`,
    ...(info.binary === undefined ? [] : [`- compiled gateway: ${info.binary}`]),
  ].join('\n')
}
