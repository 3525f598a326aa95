import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { currentCommit } from '../../scripts/build'
import { argsOf, parseDockerfile, stageNamed, substitute } from './dockerfile'

export const repositoryRoot = new URL('../../', import.meta.url).pathname
const contextRoot = join(repositoryRoot, 'tmp', 'release-build')

export interface ReleaseBinary {
  path: string
  /** The commit passed as the AI_GATEWAY_COMMIT build argument, from git. */
  commit: string
}

let built: Promise<ReleaseBinary> | undefined

/**
 * The executable, built the way the Dockerfile's `build` stage builds it: only the files its
 * COPY lines bring in, its ARG/ENV values, and its RUN command, run by a shell in a folder
 * standing in for the stage's WORKDIR. Built once per test run.
 */
export function releaseBinary(): Promise<ReleaseBinary> {
  built ??= replayBuildStage()
  return built
}

async function replayBuildStage(): Promise<ReleaseBinary> {
  const stage = stageNamed(parseDockerfile(await Bun.file(join(repositoryRoot, 'Dockerfile')).text()), 'build')
  const workdir = argsOf(stage, 'WORKDIR')[0]!
  const inContext = (path: string) => join(contextRoot, posix.resolve(workdir, path).slice(workdir.length))
  rmSync(contextRoot, { recursive: true, force: true })
  mkdirSync(contextRoot, { recursive: true })

  // The commit a CI pipeline would pass with --build-arg.
  const buildArgs: Record<string, string> = { AI_GATEWAY_COMMIT: await currentCommit() }
  const vars: Record<string, string> = {}
  const env: Record<string, string> = {}
  let outfile: string | undefined
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'ARG') {
      const [name, fallback = ''] = args.split('=')
      vars[name!] = buildArgs[name!] ?? fallback
    } else if (keyword === 'ENV') {
      const [name, ...value] = args.split('=')
      env[name!] = vars[name!] = substitute(value.join('='), vars)
    } else if (keyword === 'COPY') {
      const parts = args.split(/\s+/)
      const [source, destination] = parts.filter((part) => !part.startsWith('--'))
      if (parts.some((part) => part.startsWith('--from='))) {
        // The dependencies stage runs `npm ci --omit=dev`: this checkout's node_modules stands in
        // (a test in dockerfile.test.ts checks that src/ imports no dev dependency).
        symlinkSync(join(repositoryRoot, 'node_modules'), inContext(destination!))
      } else {
        mkdirSync(dirname(inContext(destination!)), { recursive: true })
        cpSync(join(repositoryRoot, source!), inContext(destination!), { recursive: true })
      }
    } else if (keyword === 'RUN') {
      const command = substitute(args, vars)
      const run = Bun.spawnSync({
        cmd: ['sh', '-c', command],
        cwd: contextRoot,
        // The image has bun on its PATH; here it is the pinned npm package's.
        env: { PATH: `${join(repositoryRoot, 'node_modules', '.bin')}:${process.env.PATH}`, HOME: process.env.HOME ?? '/root', ...env },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      if (run.exitCode !== 0) throw new Error(`RUN ${command} failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`)
      outfile = /--outfile\s+(\S+)/.exec(command)?.[1]
    }
  }
  if (!outfile) throw new Error('the build stage has no RUN ... --outfile line')
  return { path: inContext(outfile), commit: buildArgs.AI_GATEWAY_COMMIT! }
}
