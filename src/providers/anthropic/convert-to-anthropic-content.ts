import { invalidRequest } from '../converted'
import type { AnthropicDocumentBlock, AnthropicImageBlock, AnthropicTextBlock } from './anthropic-api'

/** @see https://docs.anthropic.com/en/docs/build-with-claude/vision */
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])

export type AnthropicUserContentBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock

/**
 * One user message's content: a string or OpenAI content parts, as Anthropic blocks.
 * Images become `image` blocks (data URLs as base64, http(s) URLs as url sources) and PDF
 * files `document` blocks; audio and OpenAI file ids have no Anthropic counterpart.
 * `where` names the message in errors, e.g. `messages[2]`.
 */
export function convertToAnthropicContent(content: unknown, where: string): AnthropicUserContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  if (!Array.isArray(content)) throw invalidRequest(`${where}.content must be a string or an array of content parts`, 'invalid_content')
  // Anthropic refuses empty text blocks; an empty OpenAI text part carries nothing anyway.
  return content.map((part, i) => convertPart(part, `${where}.content[${i}]`)).filter((block) => block.type !== 'text' || block.text !== '')
}

/** Text only, for system prompts and tool results: where Anthropic takes no images from OpenAI's shape. */
export function convertToAnthropicText(content: unknown, where: string): AnthropicTextBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  if (!Array.isArray(content)) throw invalidRequest(`${where}.content must be a string or an array of text parts`, 'invalid_content')
  const blocks: AnthropicTextBlock[] = []
  content.forEach((part, i) => {
    if (!isTextPart(part)) throw invalidRequest(`${where}.content[${i}] must be a text part here`, 'invalid_content')
    if (part.text !== '') blocks.push({ type: 'text', text: part.text })
  })
  return blocks
}

function convertPart(part: unknown, where: string): AnthropicUserContentBlock {
  const p = part as { type?: unknown; [field: string]: unknown } | null
  switch (p?.type) {
    case 'text':
      if (!isTextPart(p)) break
      return { type: 'text', text: p.text }
    case 'image_url': {
      const url = (p.image_url as { url?: unknown } | undefined)?.url
      if (typeof url !== 'string') break
      return convertImage(url, where)
    }
    case 'file':
      return convertFile(p.file as { file_data?: unknown; file_id?: unknown; filename?: unknown } | undefined, where)
    case 'input_audio':
      throw invalidRequest(`${where}: Anthropic models take no audio input`)
  }
  throw invalidRequest(`${where} is not a valid content part (text, image_url or file)`, 'invalid_content')
}

function convertImage(url: string, where: string): AnthropicImageBlock {
  if (url.startsWith('http://') || url.startsWith('https://')) return { type: 'image', source: { type: 'url', url } }
  const data = parseBase64DataUrl(url)
  if (data === undefined) throw invalidRequest(`${where}.image_url.url must be an http(s) URL or a base64 data URL`, 'invalid_image_url')
  if (!IMAGE_MEDIA_TYPES.has(data.mediaType)) {
    throw invalidRequest(`${where}: image type ${data.mediaType} is not supported; use one of ${[...IMAGE_MEDIA_TYPES].join(', ')}`, 'invalid_image_url')
  }
  return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } }
}

/** @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support */
function convertFile(file: { file_data?: unknown; file_id?: unknown; filename?: unknown } | undefined, where: string): AnthropicDocumentBlock {
  if (typeof file?.file_data !== 'string') {
    throw invalidRequest(`${where}: only files sent inline as file_data can be passed to Anthropic (file ids belong to OpenAI)`)
  }
  const data = parseBase64DataUrl(file.file_data)
  if (data?.mediaType !== 'application/pdf') throw invalidRequest(`${where}.file.file_data must be a base64 data URL of a PDF`, 'invalid_file')
  const block: AnthropicDocumentBlock = { type: 'document', source: { type: 'base64', media_type: data.mediaType, data: data.data } }
  if (typeof file.filename === 'string' && file.filename !== '') block.title = file.filename
  return block
}

/** `data:<media type>[;params];base64,<data>`; sliced, not matched, because images run to megabytes. */
function parseBase64DataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined
  const comma = url.indexOf(',')
  if (comma === -1) return undefined
  const header = url.slice(5, comma).split(';')
  if (header.at(-1)?.toLowerCase() !== 'base64' || header.length < 2) return undefined
  return { mediaType: header[0]!.toLowerCase(), data: url.slice(comma + 1) }
}

function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  return (part as { type?: unknown } | null)?.type === 'text' && typeof (part as { text?: unknown }).text === 'string'
}
