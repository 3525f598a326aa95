/**
 * Builds the release executables for every supported Linux target into dist/release/,
 * with a SHA256SUMS file beside them.
 *
 *   bun scripts/build-release.ts            (npm run build:release)
 *
 * Needs the network: `bun build --compile --target=...` downloads each target's Bun runtime
 * (from the npm registry) the first time. CI builds only the host target (npm run build).
 */
import { mkdir, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import packageJson from '../package.json' with { type: 'json' }
import { buildBinary, currentCommit } from './build'

/** `bun build --target` → the file name's suffix. glibc builds for Debian, Ubuntu, RHEL...; musl for Alpine. */
export const RELEASE_TARGETS: Record<string, string> = {
  'bun-linux-x64': 'linux-x64',
  // For x86-64 CPUs without AVX2 (older servers, some virtual machines).
  'bun-linux-x64-baseline': 'linux-x64-baseline',
  'bun-linux-arm64': 'linux-arm64',
  'bun-linux-x64-musl': 'linux-x64-musl',
  'bun-linux-arm64-musl': 'linux-arm64-musl',
}

const outputDirectory = new URL('../dist/release/', import.meta.url).pathname

if (import.meta.main) {
  await rm(outputDirectory, { recursive: true, force: true })
  await mkdir(outputDirectory, { recursive: true })
  const commit = await currentCommit()
  const sums: string[] = []
  for (const [target, suffix] of Object.entries(RELEASE_TARGETS)) {
    const outfile = join(outputDirectory, `ai-gateway-${packageJson.version}-${suffix}`)
    await buildBinary({ outfile, target, commit })
    const hash = new Bun.CryptoHasher('sha256').update(await Bun.file(outfile).arrayBuffer()).digest('hex')
    sums.push(`${hash}  ${basename(outfile)}`)
  }
  await Bun.write(join(outputDirectory, 'SHA256SUMS'), sums.join('\n') + '\n')
  console.log(`release files in ${outputDirectory}:\n${sums.join('\n')}`)
}
