import { type KnowledgeEntry } from '../retrieval/knowledge-index';

/** The knowledge base of a fictional running-shoe shop, as a business would teach it (one phrasing, a few variants). */
export const SHOP_KNOWLEDGE: KnowledgeEntry[] = [
  {
    id: 'hours-en',
    language: 'en',
    question: 'What are your opening hours?',
    variants: ['When are you open?'],
    answer: 'We are open Monday to Saturday, 9am to 7pm.',
  },
  {
    id: 'hours-fr',
    language: 'fr',
    question: "Quels sont vos horaires d'ouverture ?",
    variants: ['Quand êtes-vous ouverts ?'],
    answer: 'Nous sommes ouverts du lundi au samedi, de 9h à 19h.',
  },
  {
    id: 'delivery-en',
    language: 'en',
    question: 'How long does delivery take?',
    variants: ['Do you deliver to my home?'],
    answer: 'Home delivery takes 2 to 3 working days.',
  },
  {
    id: 'delivery-fr',
    language: 'fr',
    question: 'Quel est le délai de livraison ?',
    variants: ['Livrez-vous à domicile ?'],
    answer: 'La livraison à domicile prend 2 à 3 jours ouvrés.',
  },
  {
    id: 'returns-en',
    language: 'en',
    question: 'How do I return an item?',
    variants: ['Can I get a refund?'],
    answer: 'Bring it back within 30 days with the receipt for a full refund.',
  },
  {
    id: 'returns-fr',
    language: 'fr',
    question: 'Comment retourner un article ?',
    variants: ['Puis-je être remboursé ?'],
    answer: 'Rapportez-le sous 30 jours avec le ticket pour être remboursé.',
  },
  {
    id: 'sizes-en',
    language: 'en',
    question: 'How do your shoe sizes fit?',
    variants: ['Which size should I choose?'],
    answer: 'Our shoes fit true to size; take half a size up for trail running.',
  },
  {
    id: 'sizes-fr',
    language: 'fr',
    question: 'Comment taillent vos chaussures ?',
    variants: ['Quelle pointure choisir ?'],
    answer: 'Nos chaussures taillent normalement ; prenez une demi-pointure de plus pour le trail.',
  },
  {
    id: 'payment-en',
    language: 'en',
    question: 'Which payment methods do you accept?',
    variants: ['Can I pay by card?'],
    answer: 'We accept cards, Apple Pay and cash in the shop.',
  },
  {
    id: 'payment-fr',
    language: 'fr',
    question: 'Quels moyens de paiement acceptez-vous ?',
    variants: ['Puis-je payer par carte ?'],
    answer: 'Nous acceptons la carte, Apple Pay et les espèces en magasin.',
  },
  {
    id: 'address-en',
    language: 'en',
    question: 'Where is your shop?',
    variants: ['What is your address?'],
    answer: '12 rue de la Course, Lyon, next to the Part-Dieu station.',
  },
  {
    id: 'address-fr',
    language: 'fr',
    question: 'Où se trouve votre magasin ?',
    variants: ['Quelle est votre adresse ?'],
    answer: '12 rue de la Course à Lyon, à côté de la gare Part-Dieu.',
  },
  {
    id: 'giftcard-en',
    language: 'en',
    question: 'Do you sell gift cards?',
    variants: [],
    answer: 'Yes, gift cards from 20 to 200 euros, in the shop and online.',
  },
  {
    id: 'giftcard-fr',
    language: 'fr',
    question: 'Vendez-vous des cartes cadeaux ?',
    variants: [],
    answer: 'Oui, des cartes cadeaux de 20 à 200 euros, en magasin et en ligne.',
  },
];

/**
 * The knowledge base of a fictional perfume and cosmetics shop that teaches in French only: a
 * question in English must still find the French entry (it is answered with the business's French text).
 */
export const PERFUME_KNOWLEDGE: KnowledgeEntry[] = [
  {
    id: 'p-hours',
    language: 'fr',
    question: 'Quels sont les horaires de la boutique ?',
    variants: ['Êtes-vous ouverts le dimanche ?'],
    answer: 'La boutique est ouverte du mardi au dimanche, de 10h à 19h30.',
  },
  {
    id: 'p-shipping',
    language: 'fr',
    question: 'Combien coûte la livraison de mon colis ?',
    variants: ['Expédiez-vous à l’étranger ?'],
    answer: 'Livraison offerte dès 60 € en France, 6,90 € sinon ; nous expédions dans toute l’Europe.',
  },
  {
    id: 'p-authentic',
    language: 'fr',
    question: 'Vos parfums sont-ils authentiques ?',
    variants: ['Vendez-vous des contrefaçons ?'],
    answer: 'Tous nos parfums viennent directement des marques : ils sont 100 % authentiques.',
  },
  {
    id: 'p-samples',
    language: 'fr',
    question: 'Puis-je avoir des échantillons ?',
    variants: ['Offrez-vous des échantillons avec la commande ?'],
    answer: 'Deux échantillons au choix sont offerts avec chaque commande.',
  },
  {
    id: 'p-giftwrap',
    language: 'fr',
    question: 'Faites-vous des paquets cadeaux ?',
    variants: ['Pouvez-vous emballer mon achat pour offrir ?'],
    answer: 'Oui, le paquet cadeau est gratuit : cochez « emballage cadeau » ou demandez-le en boutique.',
  },
  {
    id: 'p-loyalty',
    language: 'fr',
    question: 'Comment fonctionne la carte de fidélité ?',
    variants: ['Comment cumuler des points ?'],
    answer: 'Un point par euro dépensé ; 200 points donnent un bon de 10 €.',
  },
  {
    id: 'p-allergy',
    language: 'fr',
    question: 'Où trouver la liste des ingrédients et allergènes ?',
    variants: [],
    answer: 'La liste complète des ingrédients est sur chaque fiche produit et sur l’emballage.',
  },
  {
    id: 'p-tracking',
    language: 'fr',
    question: 'Comment suivre ma commande ?',
    variants: ['Où en est ma commande ?'],
    answer: 'Le lien de suivi est dans l’e-mail d’expédition ; sinon donnez-nous votre numéro de commande.',
  },
];
