import { type EvaluationMessage } from './evaluation-set';

/**
 * The SIXTH held-out set (blind v6): messages written for a single measurement. Written on 2026-12-08 at
 * 00:50 UTC from the two knowledge bases alone (`shop-knowledge.ts`), by a helper who did not read the
 * assistant's retrieval, command or conversation code, nor the development sets' or earlier held-out sets'
 * messages, and who never looked at a per-message result on this set. Committed before its first run, which
 * only checked that it loads. Never tuned on: when a message here fails, do not fix it here, and do not add
 * its words to a lexicon, a gloss or a pattern.
 *
 * Each section says the language of its messages. The shoe shop teaches every topic in both languages, so a
 * French question may expect the `-fr` entry and an English one the `-en` entry (the topic is what counts);
 * the perfume shop teaches in French only, so every English question to it is cross-language.
 *
 * `expect`: the entry that should answer (its topic), `handoff` when the business never taught an answer,
 * `!stop`, `!why`, `!delete`, `!human` for a command, `no-command` when anything but a command is right.
 */
export const HELD_OUT_6: readonly EvaluationMessage[] = [
  // --- answerable-en, English
  { shop: 'shoes', category: 'answerable-en', text: 'what time do you close on saturdays', expect: 'hours-en' },
  {
    shop: 'shoes',
    category: 'answerable-en',
    text: 'Can you send the shoes straight to my flat, and how quick is that?',
    expect: 'delivery-en',
  },
  {
    shop: 'shoes',
    category: 'answerable-en',
    text: "If the trainers don't fit, can I send them back and get my money back?",
    expect: 'returns-en',
  },
  { shop: 'shoes', category: 'answerable-en', text: 'Do your running shoes come up small or large?', expect: 'sizes-en' },
  { shop: 'shoes', category: 'answerable-en', text: 'Is Apple Pay ok at the till?', expect: 'payment-en' },
  {
    shop: 'shoes',
    category: 'answerable-en',
    text: "Which street are you on? I'll be walking over from the station",
    expect: 'address-en',
  },
  {
    shop: 'shoes',
    category: 'answerable-en',
    text: 'Looking for a voucher to give my brother for his birthday, do you have those?',
    expect: 'giftcard-en',
  },
  { shop: 'shoes', category: 'answerable-en', text: 'Do you take cash or is it card only?', expect: 'payment-en' },
  {
    shop: 'shoes',
    category: 'answerable-en',
    text: 'I wear a 42 in everyday shoes, should I get the same number in your trail shoes?',
    expect: 'sizes-en',
  },
  { shop: 'shoes', category: 'answerable-en', text: 'How many working days for a home delivery to Villeurbanne?', expect: 'delivery-en' },

  // --- answerable-fr, French
  { shop: 'shoes', category: 'answerable-fr', text: 'Vous fermez à quelle heure le samedi ?', expect: 'hours-fr' },
  { shop: 'shoes', category: 'answerable-fr', text: 'Est-ce que je peux me faire livrer chez moi ?', expect: 'delivery-fr' },
  {
    shop: 'shoes',
    category: 'answerable-fr',
    text: "J'ai acheté des baskets qui ne me vont pas, je peux récupérer mon argent ?",
    expect: 'returns-fr',
  },
  { shop: 'shoes', category: 'answerable-fr', text: 'Vos modèles chaussent grand ou petit ?', expect: 'sizes-fr' },
  { shop: 'shoes', category: 'answerable-fr', text: 'On peut régler en liquide chez vous ?', expect: 'payment-fr' },
  { shop: 'shoes', category: 'answerable-fr', text: 'Le magasin est où exactement à Lyon ?', expect: 'address-fr' },
  {
    shop: 'perfume',
    category: 'answerable-fr',
    text: 'Je paie combien de frais de port pour une commande de 40 € ?',
    expect: 'p-shipping',
  },
  { shop: 'perfume', category: 'answerable-fr', text: 'Comment ça marche les points chez vous ?', expect: 'p-loyalty' },
  {
    shop: 'perfume',
    category: 'answerable-fr',
    text: 'Je voudrais être sûre que ce sont des vrais parfums et pas des copies',
    expect: 'p-authentic',
  },
  { shop: 'perfume', category: 'answerable-fr', text: 'Vous êtes ouverts le lundi matin ?', expect: 'p-hours' },

  // --- mixed, French and English in one message
  { shop: 'shoes', category: 'mixed', text: 'Hello, vous livrez at home ou pas ?', expect: 'delivery-fr' },
  { shop: 'shoes', category: 'mixed', text: "c'est quoi vos opening hours le samedi?", expect: 'hours-fr' },
  { shop: 'shoes', category: 'mixed', text: 'Je peux payer by card ou cash only ?', expect: 'payment-fr' },
  { shop: 'shoes', category: 'mixed', text: 'Hi! Vous faites des gift cards ?', expect: 'giftcard-fr' },
  { shop: 'perfume', category: 'mixed', text: 'Vous mettez des free samples avec la commande ?', expect: 'p-samples' },
  { shop: 'perfume', category: 'mixed', text: "Is it possible d'avoir un gift wrap pour offrir ?", expect: 'p-giftwrap' },
  { shop: 'perfume', category: 'mixed', text: "Mon order est où ? J'ai pas trouvé le tracking", expect: 'p-tracking' },
  { shop: 'shoes', category: 'mixed', text: 'Sorry my French is bad, comment je rapporte un article please ?', expect: 'returns-fr' },
  { shop: 'perfume', category: 'mixed', text: 'vous shippez en Belgique ?', expect: 'p-shipping' },

  // --- short, English
  { shop: 'shoes', category: 'short', text: 'opening times?', expect: 'hours-en' },
  { shop: 'shoes', category: 'short', text: 'refund?', expect: 'returns-en' },
  { shop: 'shoes', category: 'short', text: 'gift cards?', expect: 'giftcard-en' },
  // --- short, French
  { shop: 'shoes', category: 'short', text: 'horaires?', expect: 'hours-fr' },
  { shop: 'shoes', category: 'short', text: 'livraison combien de jours', expect: 'delivery-fr' },
  { shop: 'shoes', category: 'short', text: 'adresse ?', expect: 'address-fr' },
  { shop: 'perfume', category: 'short', text: 'échantillons ?', expect: 'p-samples' },
  { shop: 'perfume', category: 'short', text: 'ouvert dimanche ?', expect: 'p-hours' },

  // --- sms, English
  { shop: 'shoes', category: 'sms', text: 'u open 2moro?', expect: 'hours-en' },
  { shop: 'shoes', category: 'sms', text: 'cn i pay w/ card', expect: 'payment-en' },
  { shop: 'shoes', category: 'sms', text: 'how long 4 delivery pls', expect: 'delivery-en' },
  { shop: 'shoes', category: 'sms', text: 'wat size shd i take 4 trail', expect: 'sizes-en' },
  // --- sms, French
  { shop: 'shoes', category: 'sms', text: 'vs etes ou svp', expect: 'address-fr' },
  { shop: 'shoes', category: 'sms', text: 'jpeux rendre des chaussures achetées ya 2 semaines ?', expect: 'returns-fr' },
  { shop: 'perfume', category: 'sms', text: 'cmt je suis ma cmd svp', expect: 'p-tracking' },
  { shop: 'perfume', category: 'sms', text: 'c koi la carte fidelite ? ca marche cmt', expect: 'p-loyalty' },
  { shop: 'perfume', category: 'sms', text: 'vs faites paquet cadeau ?', expect: 'p-giftwrap' },

  // --- typos, English
  { shop: 'shoes', category: 'typos', text: 'Wat are your opning hours on weekdys?', expect: 'hours-en' },
  { shop: 'shoes', category: 'typos', text: 'how lnog does delivry take to my house', expect: 'delivery-en' },
  { shop: 'shoes', category: 'typos', text: 'Do yuo sell gfit cards?', expect: 'giftcard-en' },
  { shop: 'shoes', category: 'typos', text: 'wich paiment methods do you acept', expect: 'payment-en' },
  // --- typos, French
  { shop: 'shoes', category: 'typos', text: 'Quelle pointrue je dois prendre pour courrir ?', expect: 'sizes-fr' },
  { shop: 'shoes', category: 'typos', text: 'Comment retouner un aticle acheté en magasin ?', expect: 'returns-fr' },
  { shop: 'perfume', category: 'typos', text: 'Ou je trouve les ingrédiants et les alergènes de la crème ?', expect: 'p-allergy' },
  { shop: 'perfume', category: 'typos', text: 'Vos parfums sont ils authentiqes ?', expect: 'p-authentic' },

  // --- no-accents, French typed without accents
  { shop: 'shoes', category: 'no-accents', text: 'ca prend combien de temps pour etre livre a la maison ?', expect: 'delivery-fr' },
  { shop: 'shoes', category: 'no-accents', text: 'Vous etes ouverts le samedi apres-midi ?', expect: 'hours-fr' },
  { shop: 'shoes', category: 'no-accents', text: 'Est ce que je serai rembourse si je rapporte les chaussures ?', expect: 'returns-fr' },
  { shop: 'shoes', category: 'no-accents', text: 'Vous acceptez quoi comme reglement a la caisse ?', expect: 'payment-fr' },
  { shop: 'perfume', category: 'no-accents', text: 'Vous glissez des echantillons dans le colis ?', expect: 'p-samples' },
  { shop: 'perfume', category: 'no-accents', text: 'Les parfums de votre site sont des contrefacons ou pas ?', expect: 'p-authentic' },
  { shop: 'perfume', category: 'no-accents', text: "Vous pouvez emballer le flacon pour que je l'offre a ma mere ?", expect: 'p-giftwrap' },
  { shop: 'perfume', category: 'no-accents', text: 'A quelle heure ferme la boutique le mardi ?', expect: 'p-hours' },

  // --- greeting, English
  {
    shop: 'shoes',
    category: 'greeting',
    text: "Hi there! Hope you're well 😊 could you tell me what time you open on Monday? Thanks a lot!",
    expect: 'hours-en',
  },
  {
    shop: 'shoes',
    category: 'greeting',
    text: 'Good morning, quick question: do you deliver to home addresses? Cheers',
    expect: 'delivery-en',
  },
  {
    shop: 'shoes',
    category: 'greeting',
    text: 'Hello hello! Can I pay with Apple Pay in store? Thank you so much, have a nice day',
    expect: 'payment-en',
  },
  { shop: 'shoes', category: 'greeting', text: "Hey! Happy Friday 🎉 where's the shop exactly? Thx", expect: 'address-en' },
  // --- greeting, French
  {
    shop: 'shoes',
    category: 'greeting',
    text: "Bonjour ! J'espère que vous allez bien. Vous vendez des cartes cadeaux ? Merci d'avance, bonne journée",
    expect: 'giftcard-fr',
  },
  { shop: 'shoes', category: 'greeting', text: 'Coucou 👋 vos chaussures taillent comment ? Merci !', expect: 'sizes-fr' },
  {
    shop: 'perfume',
    category: 'greeting',
    text: 'Bonsoir, désolée de vous déranger, est-ce que vous envoyez en Italie ? Merci beaucoup',
    expect: 'p-shipping',
  },
  {
    shop: 'perfume',
    category: 'greeting',
    text: 'Bonjour madame, bonjour monsieur, comment je peux savoir où en est mon colis ? Merci et bonne soirée',
    expect: 'p-tracking',
  },

  // --- long, English
  {
    shop: 'shoes',
    category: 'long',
    text:
      "Hi, so I ordered a pair of road shoes from you on Tuesday and I'm going away next weekend for a race. I really need them " +
      'before I leave, so I was wondering how many days home delivery usually takes, so I know whether I should come in and ' +
      'buy a pair instead. Many thanks, Claire Martin',
    expect: 'delivery-en',
  },
  {
    shop: 'shoes',
    category: 'long',
    text:
      "Hello, my husband bought me some trail shoes for my birthday but I think they're too tight, he still has the receipt, " +
      'it was about three weeks ago. What do I need to do to return them and get the money back? Sorry for the long message! ' +
      'Best regards, Anne',
    expect: 'returns-en',
  },
  {
    shop: 'perfume',
    category: 'long',
    text:
      "Hi, I've been buying from you for a while and a friend told me I could collect points on each purchase and get money off " +
      'later, could you explain how that works? I never really understood it. Thanks, Tom (sent from my phone)',
    expect: 'p-loyalty',
  },
  // --- long, French
  {
    shop: 'shoes',
    category: 'long',
    text:
      "Bonjour, je me mets à la course en montagne et je ne sais pas trop quelle taille prendre, d'habitude je fais du 39 en " +
      "ville mais on m'a dit que pour le trail il fallait prendre plus grand, qu'est-ce que vous me conseillez ? Merci beaucoup " +
      'pour votre aide, Jean-Pierre',
    expect: 'sizes-fr',
  },
  {
    shop: 'shoes',
    category: 'long',
    text:
      "Bonjour, je viens de Grenoble samedi en train pour faire quelques courses et j'aimerais passer vous voir, est-ce que vous " +
      'pouvez me dire où vous êtes par rapport à la gare ? Merci, Sophie. Envoyé de mon iPhone',
    expect: 'address-fr',
  },
  {
    shop: 'perfume',
    category: 'long',
    text:
      "Bonjour, c'est pour l'anniversaire de ma femme, je voudrais commander son parfum préféré sur votre site mais je ne suis " +
      'vraiment pas doué pour les emballages, est-ce que vous pouvez vous en charger pour que ce soit joli ? Merci d’avance, ' +
      'cordialement, Marc Dubois',
    expect: 'p-giftwrap',
  },
  {
    shop: 'perfume',
    category: 'long',
    text:
      'Bonjour, j’ai une peau très sensible et je réagis à beaucoup de produits, avant d’acheter une crème chez vous je ' +
      'voudrais vérifier toute la composition, est-ce que je peux la consulter quelque part ? Merci, Léa',
    expect: 'p-allergy',
  },

  // --- cross-language, English to the French-only perfume shop
  { shop: 'perfume', category: 'cross-language', text: 'Are you open on Sundays?', expect: 'p-hours' },
  { shop: 'perfume', category: 'cross-language', text: 'What do you charge for postage?', expect: 'p-shipping' },
  { shop: 'perfume', category: 'cross-language', text: 'Are your fragrances genuine or fakes?', expect: 'p-authentic' },
  { shop: 'perfume', category: 'cross-language', text: 'Will I get some free testers with my order?', expect: 'p-samples' },
  { shop: 'perfume', category: 'cross-language', text: 'Can you gift wrap a bottle for me?', expect: 'p-giftwrap' },
  { shop: 'perfume', category: 'cross-language', text: 'How does your rewards card work?', expect: 'p-loyalty' },
  { shop: 'perfume', category: 'cross-language', text: 'Where can I see what is in your products? I have allergies', expect: 'p-allergy' },
  { shop: 'perfume', category: 'cross-language', text: 'How can I track my package?', expect: 'p-tracking' },
  { shop: 'perfume', category: 'cross-language', text: 'Do you ship to Spain?', expect: 'p-shipping' },

  // --- unanswerable near-misses, English (close to an entry, not answered by it)
  { shop: 'shoes', category: 'unanswerable', text: 'How much does delivery cost?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Do you deliver to the UK?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Do you have the Speedgoat in a 44 in stock?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Can I swap my shoes for another colour?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Is there parking near the shop?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Are you open on Easter Monday?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Do you offer a student discount?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'How long is a gift card valid for?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Can I pay in three instalments?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Do you repair or resole running shoes?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Do you do gait analysis in store?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'How do I track my order?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'do u do gift wrapping', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Do you have a loyalty programme?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Can I change the delivery address on my order?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: "Do you sell men's aftershave?", expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Is this perfume safe to wear while pregnant?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Do you have a discount code for a first order?', expect: 'handoff' },
  // --- unanswerable near-misses, French
  { shop: 'shoes', category: 'unanswerable', text: 'Est-ce que la livraison est gratuite ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Vous livrez en point relais ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Vous avez des chaussures pour enfants ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Je peux échanger contre une autre pointure ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Les cartes cadeaux sont valables combien de temps ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Vous recrutez des vendeurs ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Vous faites des soldes en janvier ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Ma commande est arrivée abîmée, je fais quoi ?', expect: 'handoff' },
  { shop: 'shoes', category: 'unanswerable', text: 'Vos chaussures sont-elles imperméables ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Combien de temps met la livraison ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Puis-je retourner un parfum déjà ouvert ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Vous acceptez PayPal ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Elle est où la boutique ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Les points de fidélité expirent au bout de combien de temps ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Vos produits sont testés sur les animaux ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Vous vendez des cartes cadeaux ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Le Black Opium 90 ml est en stock ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Vous êtes ouverts le 25 décembre ?', expect: 'handoff' },
  { shop: 'perfume', category: 'unanswerable', text: 'Vous faites des coffrets pour la fête des mères ?', expect: 'handoff' },
  {
    shop: 'perfume',
    category: 'unanswerable',
    text: "J'ai perdu mon numéro de commande, vous pouvez le retrouver avec mon nom ?",
    expect: 'handoff',
  },

  // --- commands: stop, English
  { shop: 'shoes', category: 'command', text: 'stop sending me stuff', expect: '!stop' },
  { shop: 'shoes', category: 'command', text: 'Unsubscribe', expect: '!stop' },
  { shop: 'shoes', category: 'command', text: 'take me off your list please', expect: '!stop' },
  { shop: 'shoes', category: 'command', text: "I don't want these messages anymore", expect: '!stop' },
  { shop: 'shoes', category: 'command', text: 'no more promos thanks', expect: '!stop' },
  { shop: 'shoes', category: 'command', text: 'opt me out', expect: '!stop' },
  { shop: 'perfume', category: 'command', text: 'STOP.', expect: '!stop' },
  {
    shop: 'shoes',
    category: 'command',
    text: "Hi, I'd rather not receive any more marketing from you, thanks for understanding",
    expect: '!stop',
  },
  // --- commands: stop, French
  { shop: 'perfume', category: 'command', text: 'arrêtez les messages svp', expect: '!stop' },
  { shop: 'perfume', category: 'command', text: 'desabonnez moi', expect: '!stop' },
  { shop: 'perfume', category: 'command', text: 'Je ne veux plus recevoir vos pubs', expect: '!stop' },
  { shop: 'shoes', category: 'command', text: 'Merci de me retirer de votre liste de diffusion', expect: '!stop' },
  { shop: 'shoes', category: 'command', text: 'arrete de menvoyer des sms', expect: '!stop' },
  { shop: 'perfume', category: 'command', text: 'plus de messages svp', expect: '!stop' },
  // --- commands: why, English
  { shop: 'shoes', category: 'command', text: 'why are you texting me?', expect: '!why' },
  { shop: 'shoes', category: 'command', text: 'how did you get my number??', expect: '!why' },
  { shop: 'shoes', category: 'command', text: 'why this msg', expect: '!why' },
  { shop: 'perfume', category: 'command', text: 'I never signed up for anything, why am I getting your messages?', expect: '!why' },
  // --- commands: why, French
  { shop: 'perfume', category: 'command', text: "pourquoi vous m'écrivez ?", expect: '!why' },
  { shop: 'perfume', category: 'command', text: 'pk je recois ce message', expect: '!why' },
  { shop: 'shoes', category: 'command', text: 'Comment vous avez eu mon numéro ?', expect: '!why' },
  { shop: 'shoes', category: 'command', text: 'Bonjour, je ne comprends pas pourquoi je reçois vos messages', expect: '!why' },
  { shop: 'perfume', category: 'command', text: "C'est quoi ce message ? Je vous connais pas", expect: '!why' },
  // --- commands: delete, English
  { shop: 'shoes', category: 'command', text: 'Delete my data', expect: '!delete' },
  { shop: 'shoes', category: 'command', text: 'please erase everything you have about me', expect: '!delete' },
  { shop: 'shoes', category: 'command', text: 'remove my number and personal details from your database', expect: '!delete' },
  { shop: 'perfume', category: 'command', text: 'I want my info deleted under GDPR', expect: '!delete' },
  { shop: 'shoes', category: 'command', text: 'wipe my data pls', expect: '!delete' },
  // --- commands: delete, French
  { shop: 'perfume', category: 'command', text: 'supprimez mes infos', expect: '!delete' },
  { shop: 'perfume', category: 'command', text: "Effacez toutes mes données personnelles s'il vous plaît", expect: '!delete' },
  { shop: 'shoes', category: 'command', text: 'Je veux que vous supprimiez mon numéro de vos fichiers', expect: '!delete' },
  { shop: 'perfume', category: 'command', text: 'suprimer mes donnees svp', expect: '!delete' },
  { shop: 'perfume', category: 'command', text: "droit à l'oubli : effacez-moi de votre base", expect: '!delete' },
  // --- commands: human, English
  { shop: 'shoes', category: 'command', text: 'can I talk to a real person?', expect: '!human' },
  { shop: 'shoes', category: 'command', text: 'human please', expect: '!human' },
  { shop: 'shoes', category: 'command', text: "I need to speak to someone, this bot isn't helping", expect: '!human' },
  { shop: 'shoes', category: 'command', text: 'agent', expect: '!human' },
  { shop: 'perfume', category: 'command', text: 'Put me through to a member of staff please', expect: '!human' },
  // --- commands: human, French
  { shop: 'perfume', category: 'command', text: "je veux parler à quelqu'un", expect: '!human' },
  { shop: 'perfume', category: 'command', text: 'un conseiller svp', expect: '!human' },
  { shop: 'shoes', category: 'command', text: 'Est-ce que je peux parler à un humain ?', expect: '!human' },
  { shop: 'shoes', category: 'command', text: 'passez moi un vendeur', expect: '!human' },
  { shop: 'perfume', category: 'command', text: 'jveux un vrai humain pas un robot', expect: '!human' },
  {
    shop: 'perfume',
    category: 'command',
    text: 'Je voudrais être mise en relation avec une personne de la boutique',
    expect: '!human',
  },

  // --- not commands that look like one, English (negated, asking about a command, quoting someone)
  { shop: 'shoes', category: 'not-command', text: "Don't stop sending me deals, I love them!", expect: 'no-command' },
  { shop: 'shoes', category: 'not-command', text: 'What happens if I reply STOP?', expect: 'no-command' },
  { shop: 'shoes', category: 'not-command', text: 'If I unsubscribe, do I still get updates about my order?', expect: 'no-command' },
  {
    shop: 'shoes',
    category: 'not-command',
    text: 'My friend told me to just text STOP but I actually like your offers',
    expect: 'no-command',
  },
  { shop: 'shoes', category: 'not-command', text: 'How do I stop my shoes from smelling?', expect: 'no-command' },
  { shop: 'shoes', category: 'not-command', text: 'Do you delete my card details after I pay?', expect: 'no-command' },
  { shop: 'shoes', category: 'not-command', text: 'Why did my order take so long?', expect: 'no-command' },
  { shop: 'shoes', category: 'not-command', text: 'The bus stops right outside your shop, right?', expect: 'no-command' },
  {
    shop: 'perfume',
    category: 'not-command',
    text: "Please don't unsubscribe me, I want to keep getting the newsletter",
    expect: 'no-command',
  },
  { shop: 'shoes', category: 'not-command', text: 'No need for a human, the bot answered me fine, thanks!', expect: 'no-command' },
  {
    shop: 'shoes',
    category: 'not-command',
    text: 'My husband keeps saying "delete their number" but I\'d rather keep hearing from you',
    expect: 'no-command',
  },
  // --- not commands that look like one, French
  { shop: 'perfume', category: 'not-command', text: "N'arrêtez pas de m'envoyer vos promos, elles sont top", expect: 'no-command' },
  { shop: 'perfume', category: 'not-command', text: "Qu'est-ce qui se passe si je réponds STOP ?", expect: 'no-command' },
  {
    shop: 'perfume',
    category: 'not-command',
    text: "Ma copine m'a dit « réponds stop » mais moi je veux rester abonnée",
    expect: 'no-command',
  },
  { shop: 'perfume', category: 'not-command', text: "Pourquoi ma commande n'est pas encore arrivée ?", expect: 'no-command' },
  { shop: 'shoes', category: 'not-command', text: 'Je ne veux pas me désabonner, juste changer de numéro', expect: 'no-command' },
  { shop: 'perfume', category: 'not-command', text: 'Vous gardez mes données combien de temps ?', expect: 'no-command' },
  {
    shop: 'perfume',
    category: 'not-command',
    text: "Une amie m'a dit qu'il suffit d'écrire SUPPRIMER pour que vous effaciez tout, c'est vrai ?",
    expect: 'no-command',
  },
  { shop: 'shoes', category: 'not-command', text: "Le bus s'arrête devant le magasin ?", expect: 'no-command' },
  { shop: 'perfume', category: 'not-command', text: "Si je supprime l'appli, je garde mes points ?", expect: 'no-command' },
  {
    shop: 'perfume',
    category: 'not-command',
    text: "Comment on fait pour se désinscrire ? C'est juste pour savoir, je reste pour l'instant",
    expect: 'no-command',
  },
  {
    shop: 'shoes',
    category: 'not-command',
    text: "Pas besoin de me passer un conseiller, je voulais juste l'adresse",
    expect: 'no-command',
  },
];
