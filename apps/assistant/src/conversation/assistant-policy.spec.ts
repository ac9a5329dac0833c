import { KnowledgeIndex } from '../retrieval/knowledge-index';
import { explainDecision } from './assistant-messages';
import { decide, isWindowOpen, isWithAgent } from './assistant-policy';

const index = KnowledgeIndex.lexical([
  { id: 'hours-fr', language: 'fr', question: "Quels sont vos horaires d'ouverture ?", variants: [], answer: 'De 9h à 19h.' },
  { id: 'hours-en', language: 'en', question: 'What are your opening hours?', variants: [], answer: '9am to 7pm.' },
]);
const decideText = async (text: string, conversationLanguage?: 'en' | 'fr') =>
  decide({ kind: 'text', text }, index, { threshold: 0.5, conversationLanguage });

describe('assistant policy', () => {
  it('leaves a conversation with the agent for 24 h after the handoff, until it is given back', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
    expect(isWithAgent({ state: 'handed_off', handedOffAt: hoursAgo(23) }, now)).toBe(true);
    expect(isWithAgent({ state: 'handed_off', handedOffAt: hoursAgo(25) }, now)).toBe(false);
    expect(isWithAgent({ state: 'bot', handedOffAt: null }, now)).toBe(false);
  });

  it('confirms STOP in the conversation language', async () => {
    expect(await decideText('STOP', 'fr')).toEqual({ kind: 'command', command: 'stop', language: 'fr' });
    expect(await decideText('STOP')).toEqual({ kind: 'command', command: 'stop', language: 'en' });
  });

  it("confirms a bare STOP in the business's language when neither the message nor the conversation tells", async () => {
    const french = KnowledgeIndex.lexical([
      { id: 'a', language: 'fr', question: 'Quels sont vos horaires ?', variants: [], answer: 'De 9h à 19h.' },
      { id: 'b', language: 'fr', question: 'Livrez-vous ?', variants: [], answer: 'Oui.' },
      { id: 'c', language: 'en', question: 'Do you deliver?', variants: [], answer: 'Yes.' },
    ]);
    expect(await decide({ kind: 'text', text: 'STOP' }, french, { threshold: 0.5 })).toEqual({
      kind: 'command',
      command: 'stop',
      language: 'fr',
    });
    expect(await decide({ kind: 'text', text: 'STOP' }, french, { threshold: 0.5, conversationLanguage: 'en' })).toMatchObject({
      language: 'en',
    });
    expect(await decide({ kind: 'text', text: 'stop svp' }, index, { threshold: 0.5, conversationLanguage: 'en' })).toMatchObject({
      kind: 'command',
      command: 'stop',
      language: 'fr',
    });
  });

  it('always revokes on a stop request, even when the knowledge base would answer the words', async () => {
    expect(await decideText('Please stop sending me your opening hours')).toEqual({ kind: 'command', command: 'stop', language: 'en' });
  });

  it('answers, hands over on low confidence, and hands over when a person is asked for', async () => {
    expect(await decideText('vos horaires ?')).toMatchObject({ kind: 'answer', language: 'fr', match: { entry: { id: 'hours-fr' } } });
    expect(await decideText('Do you repair bikes?')).toMatchObject({ kind: 'handoff', reason: 'low_confidence', language: 'en' });
    expect(await decideText('je veux parler à un conseiller')).toMatchObject({ kind: 'handoff', reason: 'requested', language: 'fr' });
    expect(await decide({ kind: 'other' }, index, { threshold: 0.5, conversationLanguage: 'fr' })).toMatchObject({
      kind: 'handoff',
      reason: 'unsupported_message',
      language: 'fr',
    });
  });

  it('keeps the window open for 24 h after the last inbound message, not a second more', async () => {
    const last = new Date('2026-11-28T10:00:00Z');
    expect(isWindowOpen(last, new Date('2026-11-29T09:59:59Z'))).toBe(true);
    expect(isWindowOpen(last, new Date('2026-11-29T10:00:00Z'))).toBe(false);
  });

  it('explains a decision from its factors, largest first, in the asked language', async () => {
    const explanation = {
      summary: 'Recent interest in trail, running_shoes.',
      factors: [
        { name: 'interest.trail', value: 1, contribution: 0.1 },
        { name: 'interest.running_shoes', value: 4, contribution: 0.5 },
        { name: 'fatigue', value: 2, contribution: -0.2 },
      ],
      consentBasis: ['whatsapp_marketing:acme'],
    };
    expect(explainDecision(explanation, 'en')).toBe(
      'You received our last message because of your recent interest in running shoes, your recent interest in trail. You had agreed to receive our WhatsApp messages. Reply STOP to receive no more.',
    );
    expect(explainDecision(explanation, 'fr')).toMatch(
      /^Vous avez reçu notre dernier message en raison de votre intérêt récent pour « running shoes »/,
    );
  });
});
