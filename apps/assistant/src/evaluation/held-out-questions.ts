/**
 * Held-out questions: paraphrases written for the measurement only, never used to build the
 * knowledge base or to choose the threshold. `expected` is the entry that should answer, or null
 * when the shop never taught an answer (the assistant must hand over).
 */
export const HELD_OUT: { text: string; expected: string | null }[] = [
  // English paraphrases
  { text: 'what time do you close on saturday?', expected: 'hours-en' },
  { text: 'Are you open today?', expected: 'hours-en' },
  { text: 'hours?', expected: 'hours-en' },
  { text: 'How many days for my order to be delivered?', expected: 'delivery-en' },
  { text: 'do you do home deliveries', expected: 'delivery-en' },
  { text: 'I want to return the shoes I bought', expected: 'returns-en' },
  { text: 'how do I get my money back', expected: 'returns-en' },
  { text: 'refunds??', expected: 'returns-en' },
  { text: 'what size should I take for these shoes', expected: 'sizes-en' },
  { text: 'do the shoes run small?', expected: 'sizes-en' },
  { text: 'can I pay with Apple Pay or a credit card', expected: 'payment-en' },
  { text: 'payment options', expected: 'payment-en' },
  { text: "what's the address of the store", expected: 'address-en' },
  { text: 'where are you located?', expected: 'address-en' },
  { text: 'can I buy a gift card for my brother', expected: 'giftcard-en' },
  // French paraphrases
  { text: 'Vous fermez à quelle heure le samedi ?', expected: 'hours-fr' },
  { text: "c'est ouvert aujourd'hui ?", expected: 'hours-fr' },
  { text: 'horaires svp', expected: 'hours-fr' },
  { text: 'En combien de jours ma commande est-elle livrée ?', expected: 'delivery-fr' },
  { text: 'vous livrez a la maison ?', expected: 'delivery-fr' },
  { text: 'je voudrais retourner des chaussures achetées la semaine dernière', expected: 'returns-fr' },
  { text: 'comment me faire rembourser', expected: 'returns-fr' },
  { text: 'remboursement ?', expected: 'returns-fr' },
  { text: 'quelle taille prendre pour ces chaussures', expected: 'sizes-fr' },
  { text: 'les pointures taillent petit ?', expected: 'sizes-fr' },
  { text: 'on peut payer en espèces ?', expected: 'payment-fr' },
  { text: 'paiement par carte bancaire possible ?', expected: 'payment-fr' },
  { text: 'il est où le magasin ?', expected: 'address-fr' },
  { text: "c'est quoi votre adresse", expected: 'address-fr' },
  { text: 'je cherche une carte cadeau pour ma soeur', expected: 'giftcard-fr' },
  // Never taught: the assistant must hand over
  { text: 'Do you repair bikes?', expected: null },
  { text: 'Is the manager available for a job interview?', expected: null },
  { text: 'my parcel arrived damaged, what now?', expected: null },
  { text: 'Do you have the Pegasus 41 in blue?', expected: null },
  { text: 'Organisez-vous des sorties running le dimanche ?', expected: null },
  { text: 'Mon colis est arrivé abîmé', expected: null },
  { text: 'Recrutez-vous des vendeurs cet été ?', expected: null },
  { text: 'Avez-vous la Pegasus 41 en bleu ?', expected: null },
];
