import { errors, type Client } from '@elastic/elasticsearch'
import type { Logger } from '../logger'
import { RECORD_MAPPING } from './elasticsearch-mapping'

export interface IndexSetupOptions {
  /** ELASTICSEARCH_INDEX: a name, or a pattern with a daily `{yyyy.MM.dd}` suffix. */
  index: string
  retentionDays: number
}

export interface IndexSetupResult {
  template: string
  /** The ILM policy's name, or null when the cluster has no ILM. */
  policy: string | null
}

/**
 * Installs the index template (mapping for every field path) and an ILM policy that deletes
 * indices `retentionDays` after creation. Daily indices age out one by one; a fixed index name
 * becomes a write alias over rolled-over indices (`name-000001`, ...), rolled daily, so that
 * retention can delete old data without deleting everything.
 */
export async function setUpIndex(client: Client, { index, retentionDays }: IndexSetupOptions, logger: Logger): Promise<IndexSetupResult> {
  const daily = index.includes('{')
  const base = daily ? index.slice(0, index.indexOf('{')) : index
  const name = base.replace(/[-_.]+$/, '') || 'ai-gateway-metrics'
  const policy = await putPolicy(client, `${name}-policy`, retentionDays, !daily, logger)
  const pattern = daily ? `${base}*` : `${name}-*`
  await client.indices.putIndexTemplate({
    name,
    index_patterns: [pattern],
    priority: 200,
    template: {
      settings: {
        number_of_shards: 1,
        ...(policy !== null ? { 'index.lifecycle.name': policy, ...(daily ? {} : { 'index.lifecycle.rollover_alias': name }) } : {}),
      },
      mappings: RECORD_MAPPING as never,
    },
    _meta: { description: 'ai-gateway request telemetry' },
  })
  if (!daily) await bootstrapWriteAlias(client, name, logger)
  return { template: name, policy }
}

async function putPolicy(client: Client, name: string, retentionDays: number, rollover: boolean, logger: Logger): Promise<string | null> {
  try {
    await client.ilm.putLifecycle({
      name,
      policy: {
        phases: {
          hot: { min_age: '0ms', actions: rollover ? { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } : {} },
          delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
        },
      },
    })
    return name
  } catch (error) {
    // Clusters without ILM (OpenSearch-like builds, some minimal distributions) answer 400/404 here.
    if (error instanceof errors.ResponseError && (error.statusCode === 400 || error.statusCode === 404)) {
      logger.warn('ILM is not available on this cluster: retention is not managed', { status: error.statusCode })
      return null
    }
    throw error
  }
}

/** A fixed index name is written through an alias; an existing concrete index of that name is used as it is. */
async function bootstrapWriteAlias(client: Client, alias: string, logger: Logger): Promise<void> {
  if (await client.indices.exists({ index: alias })) {
    const isAlias = await client.indices.existsAlias({ name: alias })
    if (!isAlias) logger.warn('an index with the telemetry index name already exists: writing to it without rollover', { index: alias })
    return
  }
  try {
    await client.indices.create({ index: `${alias}-000001`, aliases: { [alias]: { is_write_index: true } } })
  } catch (error) {
    // Another gateway instance bootstrapped it first.
    if (!(error instanceof errors.ResponseError && error.statusCode === 400 && String(error.message).includes('resource_already_exists'))) throw error
  }
}
