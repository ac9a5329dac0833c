import { Logger } from '@nestjs/common';
import { counter } from '@wt/observability';
import { graphApiVersionState, WhatsAppCloudClient } from '@wt/whatsapp';
import type { DispatcherConfig } from './dispatcher.config';

const upgraded = counter({
  name: 'wt_whatsapp_api_version_upgraded_total',
  help: 'Calls that Meta served with another Graph API version than WHATSAPP_API_VERSION (it is retired): move the setting',
  labelNames: ['asked', 'served'],
});

/**
 * The Cloud API client of the dispatcher. It says at boot when `WHATSAPP_API_VERSION` is retired
 * or unknown (graph-api-versions), and counts the calls Meta served with another version.
 */
export function whatsAppClientFor(config: DispatcherConfig, logger = new Logger('WhatsAppCloudClient')): WhatsAppCloudClient {
  const state = graphApiVersionState(config.WHATSAPP_API_VERSION);
  if (state.kind === 'retired') {
    logger.error(`WHATSAPP_API_VERSION ${config.WHATSAPP_API_VERSION} is past its end of support: Meta serves it as ${state.servedAs}`);
  } else if (state.kind === 'unknown') {
    logger.warn(`WHATSAPP_API_VERSION ${config.WHATSAPP_API_VERSION} is not in the Graph API version table`);
  }
  const warned = new Set<string>();
  return new WhatsAppCloudClient({
    baseUrl: config.WHATSAPP_BASE_URL,
    apiVersion: config.WHATSAPP_API_VERSION,
    accessToken: config.WHATSAPP_ACCESS_TOKEN,
    timeoutMs: config.WHATSAPP_TIMEOUT_MS,
    // A connection for every send the pacer lets through: a call that waited in the agent's
    // queue for a free connection would leave late, after its slot-time check, and crowd Meta's second.
    maxSockets: config.SEND_CONCURRENCY,
    onVersionServed: (asked, served) => {
      upgraded.inc({ asked, served });
      if (warned.has(served)) return;
      warned.add(served);
      logger.warn(`Meta served a call to ${asked} as ${served}: ${asked} is retired; set WHATSAPP_API_VERSION to a current version`);
    },
  });
}
