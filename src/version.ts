/** Replaced at build time by `scripts/build.ts` (`--define`); from source it reads package.json. */
declare const AI_GATEWAY_VERSION: string | undefined
declare const AI_GATEWAY_COMMIT: string | undefined

import packageJson from '../package.json' with { type: 'json' }

export const VERSION: string = typeof AI_GATEWAY_VERSION === 'string' ? AI_GATEWAY_VERSION : packageJson.version
export const COMMIT: string = typeof AI_GATEWAY_COMMIT === 'string' ? AI_GATEWAY_COMMIT : 'source'
