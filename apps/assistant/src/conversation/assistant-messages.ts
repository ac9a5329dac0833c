import { type AssistantLanguage, type DecisionExplanationV1 } from '@wt/contracts';

/**
 * The few fixed sentences the assistant itself says (confirmations and handoff), in each language.
 * Everything else it sends is the business's own answer, word for word.
 */
export const MESSAGES: Record<AssistantLanguage, Record<'handoff' | 'stop' | 'delete' | 'noDecision', string>> = {
  en: {
    handoff: 'Thank you for your message. A member of our team will answer you here shortly.',
    stop: 'Done: you will no longer receive marketing messages from us on WhatsApp.',
    delete: 'We have received your request to delete your data. It will be carried out shortly.',
    noDecision: 'We have not sent you any marketing message recently.',
  },
  fr: {
    handoff: 'Merci pour votre message. Un membre de notre équipe va vous répondre ici très vite.',
    stop: "C'est noté : vous ne recevrez plus nos messages marketing sur WhatsApp.",
    delete: 'Nous avons bien reçu votre demande de suppression de vos données. Elle sera traitée rapidement.',
    noDecision: 'Nous ne vous avons pas envoyé de message marketing récemment.',
  },
};

const readable = (slug: string) => slug.replace(/[_.-]+/g, ' ').trim();

/** One factor of a decision in plain words. */
function factorPhrase(name: string, language: AssistantLanguage): string {
  if (name.startsWith('interest.')) {
    const topic = readable(name.slice('interest.'.length));
    return language === 'fr' ? `votre intérêt récent pour « ${topic} »` : `your recent interest in ${topic}`;
  }
  return readable(name);
}

/**
 * Why the person got the last marketing message, from the decision's own explanation: the factors
 * that raised the score, largest first, and the consent it relied on.
 */
export function explainDecision(explanation: DecisionExplanationV1, language: AssistantLanguage): string {
  const factors = [...explanation.factors]
    .filter((factor) => factor.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 3)
    .map((factor) => factorPhrase(factor.name, language));
  const consented = (explanation.consentBasis ?? []).some((basis) => basis.startsWith('whatsapp_marketing'));
  if (language === 'fr') {
    const because =
      factors.length > 0
        ? `Vous avez reçu notre dernier message en raison de ${factors.join(', ')}.`
        : 'Vous avez reçu notre dernier message.';
    const consent = consented ? ' Vous aviez accepté de recevoir nos messages WhatsApp.' : '';
    return `${because}${consent} Répondez ARRET pour ne plus en recevoir.`;
  }
  const because = factors.length > 0 ? `You received our last message because of ${factors.join(', ')}.` : 'You received our last message.';
  const consent = consented ? ' You had agreed to receive our WhatsApp messages.' : '';
  return `${because}${consent} Reply STOP to receive no more.`;
}
