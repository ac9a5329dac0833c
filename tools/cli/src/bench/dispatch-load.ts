import { type TargetingDecisionV1, Topic } from '@wt/contracts';
import { PlatformKeySealer } from '@wt/identity';
import { KafkaPublisher } from '@wt/kafka';
import { busiestWindow } from '@wt/simulation';
import { type Kafka } from 'kafkajs';
import { createHash } from 'node:crypto';

export interface DispatchLoadOptions {
  /** Business phone number ids to send from. */
  phoneNumberIds: string[];
  /** Messages per phone number (to distinct recipients). */
  perNumber: number;
  /** Base URL of the WhatsApp sandbox the dispatcher sends to. */
  sandbox: string;
  contactKey: string;
  run: string;
  timeoutMs: number;
}

export interface NumberFigures {
  phoneNumberId: string;
  accepted: number;
  seconds: number;
  /** Accepted messages over the time from the first to the last accepted one. */
  perSecond: number;
  /** Most messages the sandbox accepted in any sliding second. */
  peakSecond: number;
}

export interface DispatchLoadResult {
  numbers: NumberFigures[];
  accepted: number;
  seconds: number;
  perSecond: number;
  /** Graph errors the sandbox answered during the run, by code (130429: throughput exceeded). */
  rejected: Record<string, number>;
  complete: boolean;
}

interface SandboxStats {
  accepted: number;
  rejected: Record<string, number>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Send decisions straight onto `targeting.decisions.v1` (as targeting would emit them), then
 * watches the sandbox accept them: per phone number, the sustained rate and the busiest sliding
 * second; overall, the total rate and every Graph error answered (130429 must stay at zero).
 */
export async function dispatchLoad(kafka: Kafka, opts: DispatchLoadOptions): Promise<DispatchLoadResult> {
  // The former platform key (v1), which the dispatcher still opens: the load needs no vault access.
  const sealer = new PlatformKeySealer(opts.contactKey);
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${opts.sandbox}${path}`);
    if (!response.ok) throw new Error(`sandbox ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const reset = await fetch(`${opts.sandbox}/sandbox/reset`, { method: 'POST' });
  if (!reset.ok) throw new Error(`sandbox reset: HTTP ${reset.status}`);

  const decidedAt = new Date().toISOString();
  const decisions: TargetingDecisionV1[] = [];
  // Interleave the numbers, as a real decision stream would.
  for (let i = 0; i < opts.perNumber; i++) {
    opts.phoneNumberIds.forEach((phoneNumberId, n) => {
      const phone = `+49151${String(n * opts.perNumber + i).padStart(8, '0')}`;
      const personId = sha256(`${opts.run}:${phone}`);
      decisions.push({
        decisionId: `bench-${opts.run}-${phoneNumberId}-${i}`,
        campaignId: `bench-${opts.run}-${phoneNumberId}`,
        // One business per number: each number's sends count in its own portfolio's messaging limit.
        businessId: `bench-business-${phoneNumberId}`,
        personId,
        outcome: 'send',
        reason: 'relevant',
        score: 0.9,
        modelVersion: 'bench',
        explanation: { summary: 'Dispatch benchmark.', factors: [] },
        decidedAt,
        send: {
          phoneNumberId,
          contact: sealer.seal(phone),
          templateName: 'autumn_offer',
          language: 'en_US',
          bodyParameters: ['Ana', '20%'],
        },
      });
    });
  }
  const publisher = new KafkaPublisher(kafka);
  for (let i = 0; i < decisions.length; i += 5000) {
    await publisher.publish(
      Topic.TargetingDecisionsV1,
      decisions.slice(i, i + 5000).map((d) => ({ key: d.personId, value: d })),
    );
  }
  await publisher.disconnect();

  const expected = decisions.length;
  const deadline = Date.now() + opts.timeoutMs;
  let stats = await get<SandboxStats>('/sandbox/stats');
  while (stats.accepted < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    stats = await get<SandboxStats>('/sandbox/stats');
  }

  const numbers: NumberFigures[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const phoneNumberId of opts.phoneNumberIds) {
    const messages = await get<{ acceptedAt: string }[]>(`/sandbox/messages?phoneNumberId=${phoneNumberId}`);
    const times = messages.map((m) => Date.parse(m.acceptedAt)).sort((a, b) => a - b);
    const start = times[0] ?? 0;
    const end = times.at(-1) ?? 0;
    first = Math.min(first, start);
    last = Math.max(last, end);
    const seconds = (end - start) / 1000;
    numbers.push({
      phoneNumberId,
      accepted: times.length,
      seconds,
      // n messages span n-1 intervals.
      perSecond: seconds > 0 ? (times.length - 1) / seconds : 0,
      peakSecond: busiestWindow(times, 1000),
    });
  }
  const accepted = numbers.reduce((sum, n) => sum + n.accepted, 0);
  const seconds = (last - first) / 1000;
  return {
    numbers,
    accepted,
    seconds,
    perSecond: seconds > 0 ? (accepted - 1) / seconds : 0,
    rejected: stats.rejected,
    complete: accepted >= expected,
  };
}
