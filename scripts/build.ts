/**
 * Builds the gateway as one self-contained executable (the Bun runtime included).
 *
 *   bun scripts/build.ts                         dist/ai-gateway for this machine
 *   bun scripts/build.ts --outfile PATH          somewhere else
 *   bun scripts/build.ts --target bun-linux-arm64 --outfile dist/ai-gateway-linux-arm64
 *   bun scripts/build.ts --no-bytecode           for comparisons (scripts/bench/startup.ts)
 *
 * Building for another target downloads that target's Bun runtime, so it needs the network
 * (scripts/build-release.ts builds every release target); the host target builds offline.
 * The version comes from package.json and the commit from `git` or AI_GATEWAY_COMMIT (a
 * container build has no .git).
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import packageJson from '../package.json' with { type: 'json' }

export interface BuildOptions {
  outfile: string
  /** A `bun build --target` value such as `bun-linux-arm64-musl`; the host when omitted. */
  target?: string
  bytecode?: boolean
  version?: string
  commit?: string
}

/** The exact `bun build` command line: printed before it runs, so a build is easy to repeat. */
export function buildCommand(options: BuildOptions): string[] {
  const { outfile, target, bytecode = true, version = packageJson.version, commit = 'unknown' } = options
  return [
    process.execPath,
    'build',
    'src/main.ts',
    '--compile',
    '--minify',
    // --bytecode needs --format=esm, or top-level await breaks; --production bakes
    // NODE_ENV=production in rather than development.
    ...(bytecode ? ['--bytecode'] : []),
    '--format=esm',
    '--production',
    // A bunfig.toml in the working directory of a user must not change how the gateway runs
    // (it can preload code); .env in the working directory stays on: that is how it is configured.
    '--no-compile-autoload-bunfig',
    ...(target ? [`--target=${target}`] : []),
    '--define',
    `AI_GATEWAY_VERSION=${JSON.stringify(version)}`,
    '--define',
    `AI_GATEWAY_COMMIT=${JSON.stringify(commit)}`,
    '--outfile',
    outfile,
  ]
}

export async function buildBinary(options: BuildOptions): Promise<void> {
  const command = buildCommand({ ...options, commit: options.commit ?? (await currentCommit()) })
  console.log(`$ ${command.map((part) => (/[\s"]/.test(part) ? `'${part}'` : part)).join(' ')}`)
  const build = Bun.spawn({ cmd: command, cwd: repositoryRoot, stdio: ['ignore', 'inherit', 'inherit'] })
  const code = await build.exited
  if (code !== 0) throw new Error(`bun build exited with ${code}`)
}

/** The short commit of the checkout, `-dirty` when it has uncommitted changes. */
export async function currentCommit(): Promise<string> {
  if (process.env.AI_GATEWAY_COMMIT) return process.env.AI_GATEWAY_COMMIT
  const git = (...args: string[]) => Bun.spawnSync({ cmd: ['git', ...args], cwd: repositoryRoot, stdout: 'pipe', stderr: 'ignore' })
  try {
    const head = git('rev-parse', '--short=12', 'HEAD')
    if (head.exitCode !== 0) return 'unknown'
    const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.toString().trim() !== ''
    return head.stdout.toString().trim() + (dirty ? '-dirty' : '')
  } catch {
    return 'unknown' // no git installed
  }
}

const repositoryRoot = new URL('..', import.meta.url).pathname

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      outfile: { type: 'string', default: 'dist/ai-gateway' },
      target: { type: 'string' },
      'no-bytecode': { type: 'boolean', default: false },
    },
  })
  await buildBinary({ outfile: resolve(values.outfile), target: values.target, bytecode: !values['no-bytecode'] })
}
