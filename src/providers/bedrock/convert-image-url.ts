import type { ContentBlock, ImageFormat } from './bedrock-api'
import { refuse } from './conversion'

const FORMATS: Record<string, ImageFormat> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', gif: 'gif', webp: 'webp' }

/**
 * An OpenAI `image_url` (a data URL) as a Converse image block. The base64 text goes on as it
 * came: Converse's JSON carries image bytes base64-encoded, so nothing is decoded or copied.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ImageBlock.html
 */
export function convertImageUrl(url: unknown, where: string): ContentBlock {
  if (typeof url !== 'string' || url === '') refuse(`${where}.image_url.url must be a string`, 'invalid_request')
  if (!url.startsWith('data:')) {
    refuse(`${where}: Bedrock takes images inline only; send a data URL (data:image/png;base64,...) instead of a link`)
  }
  const comma = url.indexOf(',')
  const header = comma === -1 ? '' : url.slice(5, comma).toLowerCase()
  const match = /^image\/([a-z]+);base64$/.exec(header)
  if (match === null || comma === url.length - 1) refuse(`${where}: the image is not a base64 data URL`, 'invalid_request')
  const format = FORMATS[match[1]!]
  if (format === undefined) refuse(`${where}: Bedrock accepts png, jpeg, gif and webp images, not image/${match[1]}`)
  return { image: { format, source: { bytes: url.slice(comma + 1) } } }
}
