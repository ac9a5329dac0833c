import { type AssistantReplyV1, type TargetingDecisionV1 } from '@wt/contracts';
import { sendDecision } from '@wt/testing';
import { type PostgresPersonIdentifiers } from '@wt/vault';
import { type DataSource } from 'typeorm';
import { type MessageCosts } from '../pricing/message-costs';
import { type DispatchLedger, type QueuedSend } from './dispatch-ledger';
import { SendQueue } from './send-queue';

const person = (n: number) => String(n).padStart(64, '0');

/** The queue over a ledger, costs and identifier links that only record what they are asked. */
function queue(moved: Map<string, string> = new Map()) {
  const enqueued: QueuedSend[][] = [];
  const estimated: string[][] = [];
  const numbers: ReadonlyMap<string, string>[] = [];
  const ledger = {
    enqueue: async (sends: readonly QueuedSend[]) => {
      enqueued.push([...sends]);
      return sends.length;
    },
    rememberNumbers: async (_manager: unknown, map: ReadonlyMap<string, string>) => {
      numbers.push(map);
    },
  } as unknown as DispatchLedger;
  const costs = {
    recordEstimates: async (_manager: unknown, decisions: readonly TargetingDecisionV1[]) => {
      estimated.push(decisions.map((d) => d.decisionId));
    },
  } as unknown as MessageCosts;
  const identifiers = { movedAddresses: async () => moved } as unknown as PostgresPersonIdentifiers;
  const dataSource = { manager: {} } as unknown as DataSource;
  return { queue: new SendQueue(ledger, dataSource, costs, identifiers), enqueued, estimated, numbers };
}

const decision = (n: number, outcome: 'send' | 'suppress' = 'send'): TargetingDecisionV1 => {
  const d = sendDecision({ decisionId: `d${n}`, businessId: 'b', personId: person(n), phoneNumberId: '100', contact: `sealed-${n}` });
  return outcome === 'send' ? d : { ...d, outcome: 'suppress', send: undefined };
};

describe('SendQueue: what the consumers ask for, as ledger rows', () => {
  it('queues the send decisions only, each with its template, contact and trace, and records their estimates', async () => {
    const { queue: q, enqueued, estimated } = queue();
    await q.decisions([
      { value: decision(1), headers: { traceparent: '00-aaaa-bbbb-01' } },
      { value: decision(2, 'suppress'), headers: {} },
      { value: decision(3), headers: {} },
    ]);
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0]?.map((s) => s.decisionId)).toEqual(['d1', 'd3']);
    expect(enqueued[0]?.[0]).toEqual({
      decisionId: 'd1',
      personId: person(1),
      businessId: 'b',
      campaignId: 'campaign-b',
      phoneNumberId: '100',
      message: { kind: 'template', contact: 'sealed-1', templateName: 'spring_sale', language: 'en', bodyParameters: [] },
      traceparent: '00-aaaa-bbbb-01',
    });
    expect(enqueued[0]?.[1]?.traceparent).toBeUndefined();
    expect(estimated).toEqual([['d1', 'd3']]);
  });

  it('queues an assistant reply as a text keyed by its reply id, outside any campaign', async () => {
    const { queue: q, enqueued } = queue();
    const reply = { replyId: 'r1', businessId: 'b', personId: person(1), contact: 'sealed-1', phoneNumberId: '100', text: 'Bonjour' };
    await q.replies([{ value: reply as AssistantReplyV1, headers: {} }]);
    expect(enqueued[0]).toEqual([
      {
        decisionId: 'reply:r1',
        personId: person(1),
        businessId: 'b',
        campaignId: '',
        phoneNumberId: '100',
        message: { kind: 'text', contact: 'sealed-1', text: 'Bonjour' },
      },
    ]);
  });

  it('sends to the new address of a person who moved, and to the collected one otherwise', async () => {
    const { queue: q, enqueued } = queue(new Map([[person(1), 'sealed-new-number']]));
    await q.decisions([
      { value: decision(1), headers: {} },
      { value: decision(2), headers: {} },
    ]);
    expect(enqueued[0]?.map((s) => s.message.contact)).toEqual(['sealed-new-number', 'sealed-2']);
  });

  it("remembers each campaign's number as its business's", async () => {
    const { queue: q, numbers } = queue();
    const campaign = (id: string, phoneNumberId: string, businessId: string) => ({ value: { campaignId: id, phoneNumberId, businessId } });
    await q.campaignNumbers([campaign('c1', '100', 'b1'), campaign('c2', '200', 'b2')] as never);
    expect(numbers).toEqual([
      new Map([
        ['100', 'b1'],
        ['200', 'b2'],
      ]),
    ]);
  });
});
