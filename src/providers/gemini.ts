import { openAICompatible } from './openai-compatible'

/**
 * Google Gemini through its OpenAI-compatible API, which lives under `/v1beta/openai/`
 * (`/v1/chat/completions` → `/v1beta/openai/chat/completions`) and takes the Gemini API key
 * as a Bearer token, as the OpenAI SDK sends it.
 * @see https://ai.google.dev/gemini-api/docs/openai
 */
export const gemini = openAICompatible({ id: 'gemini', mapPath: (path) => `/v1beta/openai${path.slice('/v1'.length)}` })
