import { type AssistantLanguage } from '@wt/contracts';
import { fold } from '../retrieval/text-analysis';

/** What a person can ask the assistant to do, rather than ask it something. */
export type CommandName = 'stop' | 'why' | 'delete';
export type IntentName = CommandName | 'human';

export interface RecognizedIntent {
  intent: IntentName;
  /** The language the words that expressed it belong to; undefined when they belong to both (`STOP`). */
  language?: AssistantLanguage;
}

/**
 * A message as the patterns read it: folded (case, accents, typographic apostrophes), SMS spellings
 * and common contractions spelled out, only letters, digits and single spaces, padded with a space
 * on each side so that every pattern can anchor on word boundaries with a plain space.
 */
export function normalizeForIntent(text: string): string {
  let t = fold(text)
    .replace(/'/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  t = ` ${t} `;
  for (const [from, to] of SPELLINGS) t = t.replace(from, to);
  // A word said again and again is said once ("STOP STOP STOP", "svp svp").
  return t.replace(/\s+/g, ' ').replace(/ (\w+)(?: \1)+(?= )/g, ' $1');
}

/** SMS spellings and contractions, spelled out (after folding): [spellings, what they stand for]. */
const SPELLINGS: readonly [RegExp, string][] = (
  [
    ['don t|dont|dnt', 'do not'],
    ['doesn t|doesnt', 'does not'],
    ['didn t|didnt', 'did not'],
    ['can t|cant|cannot', 'can not'],
    ['won t|wont', 'will not'],
    ['i m|im', 'i am'],
    ['pls|plz|plse|pleas|pleez|plss', 'please'],
    ['msgs|msg|mssg|mess|mesages|txts|txt|texts', 'messages'],
    ['u', 'you'],
    ['ur', 'your'],
    ['r', 'are'],
    ['wat|wht', 'what'],
    ['stp|svp|sil vous plait|s il vous plait|sil te plait|s il te plait', 'svp'],
    ['jveux|jve', 'je veux'],
    ['pk|pq|pkoi|pourkoi|pourqoi|prquoi|pqoi', 'pourquoi'],
    ['vs', 'vous'],
    ['ke|k', 'que'],
    ['jrecois', 'je recois'],
    ['c', 'c est'],
    ['donnee|donees', 'donnees'],
    ['stopp+|stopper|stoppez|stoppe', 'stop'],
    ['txting|txtin|textin', 'texting'],
    ['messagin', 'messaging'],
  ] as const
)
  .map(([from, to]): [RegExp, string] => [new RegExp(`(?<= )(?:${from})(?= )`, 'g'), to])
  .concat([
    // French SMS writing drops the apostrophe: "menvoyer", "jai recu", "jrecois".
    [/(?<= )([mj])((?:envoy|ecri|contact|appel|ai|aurai|recoi|recu|harcel|oubli)\w*)(?= )/g, '$1 $2'],
    // "y" alone at the start is SMS for "why" (elsewhere it is French: "il y a").
    [/^ y (?=am|do|did|are|is|r )/, ' why '],
  ]);

/** Words of politeness or filler that a bare command may carry around it. */
const COURTESY =
  '(?: (?:please|svp|merci|thanks|thank you|thx|now|right now|ok|okay|maintenant|tout de suite|desormais|again|bye|au revoir|hi|hello|hey|bonjour|salut|bonsoir|a tous|all|now please|asap))*';

interface Pattern {
  readonly re: RegExp;
  readonly language?: AssistantLanguage;
}

const p = (source: string, language?: AssistantLanguage): Pattern => ({ re: new RegExp(source), language });

/** A whole message that is nothing but the command word, with courtesy around it. */
const bare = (words: string, language?: AssistantLanguage) => p(`^${COURTESY} (?:${words})${COURTESY} $`, language);

const SEND_EN = '(?:send(?:ing)?|messag(?:e|ing)|text(?:ing)?|contact(?:ing)?|spam(?:ming)?|writ(?:e|ing)|whatsapp(?:ing)?|bother(?:ing)?)';
const ADS_EN = '(?:messages?|marketing|promos?|promotions?|ads|adverts?|advertising|offers|newsletters?|spam|notifications|whatsapps?)';
const SEND_FR =
  '(?:envoy(?:er|ez|e|es)|ecri(?:re|vez|s|t)|contact(?:er|ez|e)|harcel(?:er|ez|e)|spamm(?:er|ez|e)|relanc(?:er|ez|e)|embet(?:er|ez|e))';
const ADS_FR = '(?:messages?|sms|pubs?|publicites?|promos?|promotions?|offres|newsletters?|notifications|spams?|whatsapps?)';
const DATA_EN =
  '(?:data|personal data|information|informations|info|infos|details|personal details|account|number|phone number|profile|records?|history)';
const DATA_FR = '(?:donnees|informations|infos|info|coordonnees|compte|numero|profil|historique|fichier)';

/** Requests to stop marketing messages, in any phrasing, in a longer sentence too. */
const STOP: readonly Pattern[] = [
  bare('stop|stop all|stop it|end|cancel|quit|halt|stop pub|stop pubs|stop messages|stop promo|stop promos'),
  bare('unsubscribe|unsub|opt out|optout|opt me out|remove me|unsubscribe me', 'en'),
  bare('arret|arrete|arretez|arreter|arret pub|arretez tout|desabonner|desabonnement|desinscription|desinscrire|stop svp', 'fr'),
  p(` stop ${SEND_EN}`, 'en'),
  p(` stop (?:all |the |your |these |those |this )?(?:${ADS_EN}|it)\\b`, 'en'),
  p(` (?:do not|never|no longer) (?:want to )?(?:${SEND_EN}|contact) (?:me|us)? ?(?:any ?more|again|${ADS_EN}|anything)`, 'en'),
  p(` (?:do not|never) ${SEND_EN} me\\b`, 'en'),
  p(` no more (?:${ADS_EN}|whatsapp)`, 'en'),
  p(` (?:unsubscrib|opt(?:ing)? ?out|opt me out|optout)`, 'en'),
  p(
    ` (?:remove|take|delete) (?:me|my number) (?:off|from) (?:your |the |this |these |all )?(?:list|mailing|messages|marketing|contacts|contact list|database|whatsapp|broadcast)`,
    'en',
  ),
  p(` (?:take|get) me off\\b`, 'en'),
  p(
    ` i (?:do not|no longer) (?:want|wish|like) (?:to (?:receive|get|have) )?(?:any |these |those |your |this |the |more )*(?:more )?(?:promotional |marketing |commercial |advertising )?(?:${ADS_EN}|them|it)\\b`,
    'en',
  ),
  p(` (?:do not|never) want (?:to hear from you|anything from you)`, 'en'),
  p(` leave me alone`, 'en'),
  p(
    ` (?:i want to |i would like to |i d like to |please |can you |could you )?(?:cancel|end) (?:my )?(?:subscription|the messages|these messages|marketing)`,
    'en',
  ),
  p(` (?:arret|arrete|arretez|arreter|cessez|cesser|stop)(?: de| d)? (?:de |d )?(?:m |me |nous |plus )?${SEND_FR}`, 'fr'),
  p(` (?:arret|arrete|arretez|arreter|cessez|stop) (?:les |vos |tes |ces |aux |a vos |avec vos |de vos )?${ADS_FR}`, 'fr'),
  p(` (?:ne |n )?(?:m |me |nous )?${SEND_FR} plus\\b`, 'fr'),
  p(
    ` (?:je ne veux plus|je veux plus|j en veux plus|je ne souhaite plus|je souhaite ne plus|plus jamais|veux plus)\\b.*(?:${ADS_FR}|recevoir|rien|contact|${SEND_FR})`,
    'fr',
  ),
  p(` plus de (?:${ADS_FR})`, 'fr'),
  // The infinitive negation: "merci de ne plus m'envoyer", "je vous demande de ne plus me contacter".
  p(` ne plus (?:jamais )?(?:m |me |nous )?${SEND_FR}`, 'fr'),
  p(` (?:desabonn|desinscri|me retirer|retirez moi|retire moi|enlevez moi|enleve moi|supprimez moi de|supprime moi de|rayez moi)`, 'fr'),
  p(` laissez moi tranquille| lachez moi`, 'fr'),
];

/**
 * Taking the person or their number off a LIST (a mailing, contact, distribution or marketing list, a
 * newsletter, a broadcast) is unsubscribing from the messages, not erasing their data: "please remove my
 * number from your mailing list", "retirez mon numéro de votre liste de diffusion". Read before the delete
 * patterns, whose "remove my number" it would otherwise be; a delete asked besides, outside the phrase
 * ("... and delete all my data"), is still a delete. A database, a file or records keep the data: a delete.
 */
const LIST_EN = '(?:list|lists|listing|mailing|mailings|distribution|broadcasts?|newsletters?|marketing|campaigns?|contacts)';
const LIST_FR = '(?:liste|listes|mailing|mailings|diffusion|newsletters?|campagnes?|contacts|envois)';
const OFF_A_LIST: readonly Pattern[] = [
  p(
    ` (?:remove|take|delete|erase|drop|strike|cross|get) (?:me|us|this number|my (?:phone |mobile |cell |whatsapp )?(?:number|contact|details|name|email)) (?:off|from|out of)(?: of)? (?:your |the |this |these |that |all |any |our )?(?:\\w+ ){0,2}${LIST_EN}\\b`,
    'en',
  ),
  p(
    ` (?:retir|enlev|supprim|effac|ray|sort|vir)\\w* (?:moi|nous|ce numero|mon (?:numero|num|tel|telephone|portable|06|07|contact|nom|mail|email)) (?:de|d|des|du)(?: la| les| votre| vos| cette| ces| ta| tes| leur)? (?:\\w+ ){0,2}${LIST_FR}\\b`,
    'fr',
  ),
];

/** Saying not to stop, or asking what stopping would do: never a stop. */
const NOT_STOP: readonly Pattern[] = [
  p(` (?:do not|never|not) (?:want to |need to )?(?:stop|unsubscrib|opt out|cancel)`, 'en'),
  p(` (?:keep|continue|carry on) (?:sending|messaging|texting|contacting)`, 'en'),
  p(` (?:n |ne )?(?:arret|arrete|arretez|arreter|stop|desabonnez|desinscrivez)(?: me| moi)? pas\\b`, 'fr'),
  p(` ne (?:pas|surtout pas) (?:m )?(?:arreter|stop|desabonner|desinscrire)`, 'fr'),
  p(` (?:continuez|continue|continuer) (?:a|de|d) (?:m )?${SEND_FR}`, 'fr'),
];

/** Questions about a command rather than the command itself ("what does STOP do?"). */
const ABOUT_COMMAND: readonly Pattern[] = [
  p(` what (?:does|do|will|would|is|happens|will happen|would happen)\\b.*\\b(?:stop|unsubscrib|delete|erase|arret)`, 'en'),
  p(` what (?:does|do) .* (?:mean|do)\\b`, 'en'),
  p(` (?:if|when) i (?:reply|send|write|text|type|say|answer|press|hit|click)\\b`, 'en'),
  p(` (?:how does|how do) (?:stop|unsubscrib|the stop|deleting|deletion)\\b.*(?:work|mean)`, 'en'),
  p(` (?:will|would|do|does) (?:i|it|that|this|stop|unsubscribing|deleting) (?:lose|cancel|delete|remove|affect|also)\\b`, 'en'),
  p(` (?:que|qu est ce que?|quoi) (?:fait|veut dire|signifie|se passe)\\b`, 'fr'),
  p(` (?:si|quand) (?:j |je )(?:ecris|reponds|envoie|tape|mets|dis|clique|appuie|envoi)\\b`, 'fr'),
  p(` (?:ca|cela|ceci) (?:fait|sert a|veut dire) quoi| ca sert a quoi`, 'fr'),
  p(` est ce que (?:je vais|je perds|ca supprime|ca annule|j perds)`, 'fr'),
  p(` c est quoi (?:le |la )?(?:stop|arret)`, 'fr'),
];

/** Requests to delete the person's data. */
const DELETE: readonly Pattern[] = [
  bare('delete|delete me|erase|erase me|forget me|delete my data|delete my account|delete everything|gdpr|gdpr delete', 'en'),
  bare('supprimer|supprimez|supprime|effacer|effacez|oubliez moi|supprimer mes donnees|supprimez mes donnees|rgpd', 'fr'),
  p(
    ` (?:delete|erase|remove|wipe|destroy|purge|clear) (?:all )?(?:of )?(?:my|all my|the|any|every|everything(?: you have)? (?:about|on) me|your) ?(?:personal |private |stored )?${DATA_EN}`,
    'en',
  ),
  p(` (?:delete|erase|wipe|remove) (?:everything|all) (?:you have |you hold |you keep |you store )?(?:about|on|of) me`, 'en'),
  p(` (?:delete|erase) (?:me|my account)\\b`, 'en'),
  p(` forget (?:me|about me|my data|everything)`, 'en'),
  p(` (?:right to be forgotten|right to erasure|gdpr (?:request|erasure|deletion))`, 'en'),
  // The request named by its noun: "I request the deletion of my data".
  p(` (?:deletion|erasure|removal) of (?:all )?(?:of )?(?:my|me)\\b`, 'en'),
  p(` (?:my )?(?:data|information|details) (?:deleted|erased|removed)`, 'en'),
  p(
    ` (?:supprim|effac|retir|detrui|eliminez|efface)\\w* (?:toutes |tout |l ensemble de )?(?:(?:mes|mon|ma|vos|les|toutes les) )?(?:donnees |informations )?(?:personnelles |perso )?${DATA_FR}`,
    'fr',
  ),
  p(` (?:supprim|effac)\\w* (?:tout ce que vous (?:avez|savez|gardez)|tout) (?:sur|de|concernant) moi`, 'fr'),
  p(` (?:supprim|effac)\\w* moi\\b(?! de)`, 'fr'),
  p(` oubli\\w* moi| droit a l oubli| (?:demande |requete )?rgpd`, 'fr'),
  // The request named by its noun: "je demande la suppression de mes données".
  p(
    ` (?:suppression|effacement|destruction) (?:de |d )?(?:toutes |l ensemble de )?(?:mes|mon|ma) (?:donnees|informations|infos|coordonnees|compte|profil)`,
    'fr',
  ),
  p(` (?:mes |vos )?(?:donnees|informations) (?:supprimees|effacees)`, 'fr'),
];

/**
 * Any command said NOT to be done, whatever the command word: a negation or "no need" shortly before
 * it ("please don't unsubscribe me", "pas besoin de supprimer mes infos", "sans me désabonner").
 */
const COMMAND_WORD =
  '(?:stop\\w*|unsubscrib\\w*|opt\\w* out|cancel\\w*|delet\\w*|eras\\w*|remov\\w*|wip\\w*|forget|arret\\w*|desabonn\\w*|desinscri\\w*|supprim\\w*|effac\\w*|retir\\w*|oubli\\w*|vir\\w*|enlev\\w*)';
const NEGATED_COMMAND: readonly Pattern[] = [
  p(` (?:do not|does not|never|not|no need to|need not) (?:want to |need to |have to |wish to |ask you to |please )?${COMMAND_WORD}\\b`),
  p(` (?:pas besoin|inutile|aucun besoin|pas la peine|pas necessaire|sans) (?:de |d )?(?:me |m |nous )?${COMMAND_WORD}\\b`),
  p(` ne (?:me |m |nous )?${COMMAND_WORD} pas\\b`),
  p(` ${COMMAND_WORD} (?:me |moi |les |mes )?pas\\b`),
];

/**
 * Asking HOW a command works or what it would do, or speaking of it as a possibility: not the
 * command ("how would I unsubscribe later if I wanted to?", "comment je fais pour me désinscrire un jour ?").
 */
const HOW_ABOUT_COMMAND: readonly Pattern[] = [
  p(` how (?:do|would|could|can|should|will|might|does one|to) (?:\\w+ ){0,4}${COMMAND_WORD}`),
  p(` (?:if|in case|whenever) i (?:ever |later |one day )?(?:want|wanted|wish|decide|decided|need|needed|change)\\b`),
  // What would follow a command, asked before doing it: "if I unsubscribe, ...", "is unsubscribing free?", "si je me désabonne, ...".
  p(` (?:if|once) i (?:\\w+ )?${COMMAND_WORD}`),
  p(` (?:is|does|will|would|can) (?:stopping|unsubscribing|opting out|deleting|erasing|cancelling|canceling)\\b`),
  p(` (?:si|une fois que) (?:je |j )(?:me |m )?(?:\\w+ )?${COMMAND_WORD}`),
  p(` (?:comment|de quelle facon|de quelle maniere) (?:\\w+ ){0,5}${COMMAND_WORD}`),
  p(` si (?:un jour |jamais |plus tard )?(?:je|j) (?:veux|voulais|souhaite|souhaitais|decide|change)\\b`),
  p(
    ` (?:is it possible to|can i|could i|est il possible de|est ce que je peux|je peux|on peut) (?:\\w+ ){0,2}${COMMAND_WORD}\\b.* (?:later|plus tard|un jour|anytime|any time|n importe quand)\\b`,
  ),
];

/**
 * Asking whether a command exists or how it is done, for later or out of curiosity, is not the command:
 * "is there a way to unsubscribe?", "y a-t-il un moyen de se désinscrire ?", "just asking".
 */
const EXISTENCE_OF_COMMAND: readonly Pattern[] = [
  p(
    ` (?:is there|are there|do you have|have you got) (?:a |an |any |some )?(?:way|command|option|button|keyword|word|link|code|procedure|process)\\b`,
  ),
  p(
    ` (?:y a t il|il y a|existe t il|est ce qu il y a|vous avez|avez vous) (?:un |une |des )?(?:moyen|commande|option|bouton|mot|lien|code|procedure)\\b`,
  ),
  p(
    ` (?:just asking|asking for later|for later|for future reference|just curious|out of curiosity|just wondering|au cas ou|pour plus tard|juste pour savoir|par curiosite|pour info)\\b`,
  ),
];

/**
 * Not wanting a command, in French as in English ("je ne veux pas me désabonner", "pas envie d'arrêter",
 * "je ne souhaite pas que vous supprimiez"): the wish is negated before the command word.
 */
const PRONOUNS = '(?: (?:de|d|m|me|moi|nous|que|qu|vous|te|t|le|la|les|mes|mon|ma|vos|votre|of|to|you|me|my|your))*';
const NOT_WANTED_COMMAND: readonly Pattern[] = [
  p(
    ` (?:je |j )?(?:ne |n )?(?:veux|voudrais|souhaite|souhaiterais|compte|ai|demande) (?:pas|jamais|surtout pas)${PRONOUNS} ${COMMAND_WORD}`,
  ),
  p(` (?:pas|aucune|plus) (?:envie|question|intention)${PRONOUNS} ${COMMAND_WORD}`),
  p(` (?:hors de question|il n est pas question)${PRONOUNS} ${COMMAND_WORD}`),
  p(` (?:i |we )?(?:have no|had no|no) (?:intention|wish|plan|desire)${PRONOUNS} ${COMMAND_WORD}`),
];

/**
 * A command word told or quoted rather than said: "my friend told me to write stop", "on m'a dit de
 * répondre STOP". (A quoted word in a longer message is taken out before the patterns read it: see
 * `withoutQuotes`.)
 */
const REPORTED_COMMAND: readonly Pattern[] = [
  p(` (?:told|tells|asked|says|said|advised|suggested)(?: \\w+){0,3} (?:to )?(?:write|reply|send|say|type|text|answer|respond)\\b`),
  p(` (?:dit|conseille|demande|propose|explique)(?: \\w+){0,3} (?:de |d )?(?:ecrire|repondre|envoyer|taper|mettre|dire)\\b`),
];

/** Saying that no person is needed: "no need for an agent", "pas besoin d'un conseiller". */
const NOT_HUMAN: readonly Pattern[] = [
  p(
    ` (?:no need|do not need|did not need|not necessary|no point)\\b(?: \\w+){0,4} (?:human|agent|person|someone|somebody|anyone|anybody|advisor|adviser|staff)\\b`,
  ),
  p(
    ` (?:pas besoin|aucun besoin|inutile|pas la peine|pas necessaire)\\b(?: \\w+){0,4} (?:humain|conseiller|conseillere|personne|quelqu un|vendeur|vendeuse|service client)\\b`,
  ),
];

/** The message says no person is needed (read on a normalized message). */
export const declinesAPerson = (normalized: string): boolean => matchOf(NOT_HUMAN, normalized) !== undefined;

/** The message speaks of a command without asking for it: a negation, a question about it, or how it works. */
export function notTheCommand(normalized: string): boolean {
  return [ABOUT_COMMAND, NEGATED_COMMAND, HOW_ABOUT_COMMAND, EXISTENCE_OF_COMMAND, NOT_WANTED_COMMAND, REPORTED_COMMAND].some(
    (patterns) => matchOf(patterns, normalized) !== undefined,
  );
}

const NOT_DELETE: readonly Pattern[] = [
  p(` (?:do not|never|not) (?:want to |need to )?(?:delete|erase|remove|wipe)`, 'en'),
  p(` (?:ne |n )?(?:supprim|effac)\\w* (?:pas|rien)\\b`, 'fr'),
  p(` ne (?:pas|surtout pas) (?:supprimer|effacer)`, 'fr'),
];

/** Asking why this message came, or how the business got the number. */
const WHY: readonly Pattern[] = [
  bare('why|why this|why this message|why me|why am i getting this|who is this|who are you', 'en'),
  bare('pourquoi|pourquoi ce message|pourquoi moi|c est qui|qui etes vous|vous etes qui|qui est ce', 'fr'),
  p(
    ` why (?:did|do|am|have|was|are|is|would|does)? ?(?:i|you|me|we)? ?(?:get|got|getting|receive|received|receiving|been getting|been receiving|sent|send|sending|messag\\w*|text\\w*|contact\\w*|writ\\w*) ?(?:me|this|that|these|those|a|the|your|any)?\\b(?! (?:order|parcel|package|refund|item|delivery|invoice|receipt|bill|card|code|product))`,
    'en',
  ),
  p(` why (?:this|that|these) (?:message|text|ad|promo|offer|notification)`, 'en'),
  p(` how (?:did|do) you (?:get|have|find|obtain) my (?:number|phone|contact|details)`, 'en'),
  p(` (?:who|where) (?:gave|did you get) (?:you )?my (?:number|phone|contact)`, 'en'),
  p(` who (?:\\w+ ){1,2}you my (?:number|phone|contact|details|data)`, 'en'),
  p(` what is this (?:message|about)| what s this (?:message|about)`, 'en'),
  // "How come" asks why: "how come I'm on your list?", "how come you have my number?".
  p(` how come (?:i am|i get|i keep|i receive|i m|you have|you got|you keep|you (?:message|text|contact|send|write))\\w*`, 'en'),
  // A story about the messages, then the question: "... I get a promo every week, why is that?".
  p(` (?:${ADS_EN}|get (?:a|these|your) \\w+ every) .*\\bwhy (?:is that|so|that)\\b`, 'en'),
  p(
    ` pourquoi (?:est ce que |est ce qu )?(?:je |j |vous |tu |on )?(?:re[cç]\\w*|ai recu|avez|m |me |ecri\\w*|envoy\\w*|contact\\w*)(?! (?:ma |mon |la |le )?(?:commande|colis|remboursement|facture|article|livraison))`,
    'fr',
  ),
  p(` pourquoi (?:ce|cet|ces|cette) (?:message|messages|sms|pub|offre|promo|notification)`, 'fr'),
  p(
    ` (?:comment|ou) (?:avez vous|vous avez|as tu|t as|est ce que vous avez) (?:eu|trouve|obtenu|recupere) (?:mon|ma|mes) (?:numero|num|tel|telephone|coordonnees|contact)`,
    'fr',
  ),
  // Whoever passed the number on, whatever the verb ("qui vous a filé mon 06", "who sold you my details").
  p(` qui vous (?:a|aurait) (?:\\w+ ){1,2}(?:mon|mes) (?:numero|num|tel|telephone|06|07|coordonnees|contact|infos)`, 'fr'),
  p(` c est quoi ce (?:message|sms)`, 'fr'),
];

/** Asking for a person of the business. */
const HUMAN: readonly Pattern[] = [
  p(
    ` (?:talk|speak|chat|discuss) (?:to|with) (?:a |an |some |your |the |real |someone|somebody|anyone|person|human|agent|staff|manager)`,
    'en',
  ),
  p(` (?:real|actual|live) (?:person|human|agent|people)`, 'en'),
  p(
    ` (?:human|agent|representative|operator|advisor|adviser|someone from your team|customer service|customer support|support team)\\b`,
    'en',
  ),
  p(` (?:can|could) (?:someone|somebody|a person|a human|an agent) (?:call|contact|help|answer)`, 'en'),
  p(` (?:someone|somebody|anyone|anybody|a person) (?:i|we) (?:can|could) (?:talk|speak|chat) (?:to|with)\\b`, 'en'),
  p(` (?:parler|discuter|echanger) (?:a|avec) (?:un|une|quelqu|une vraie|un vrai|le|la|votre|vos|des|personne)`, 'fr'),
  p(` (?:vrai|vraie|une vraie|un vrai) (?:personne|humain|conseiller|conseillere)`, 'fr'),
  p(
    ` (?:humain|conseiller|conseillere|operateur|operatrice|service client|vendeur|vendeuse|quelqu un de (?:chez vous|votre equipe|l equipe))\\b`,
    'fr',
  ),
  p(` (?:quelqu un|une personne) (?:peut|pourrait) (?:m appeler|me rappeler|me repondre|m aider)`, 'fr'),
];

const matchOf = (patterns: readonly Pattern[], text: string): Pattern | undefined => patterns.find((pattern) => pattern.re.test(text));

/** Words that mark a message as French or as English when the command words are shared (`STOP`). */
const FR_MARKERS = / (?:svp|merci|je|j|moi|mes|mon|vos|votre|vous|les|des|de|pour|pas|plus|bonjour|salut|tout|oui|non|ce|ca) /;
const EN_MARKERS = / (?:please|thanks|thank|me|my|your|you|the|this|it|all|i|now|hi|hello|hey|no|yes|to) /;

function markedLanguage(text: string): AssistantLanguage | undefined {
  const fr = FR_MARKERS.test(text);
  const en = EN_MARKERS.test(text);
  if (fr && !en) return 'fr';
  if (en && !fr) return 'en';
  return undefined;
}

/** Text in quotation marks: a word quoted is mentioned, not said ("they told me to send “STOP”"). */
const QUOTED = /"[^"]*"|“[^”]*”|«[^»]*»|„[^“”]*[“”]/g;
/** Outside the quotes, this many words make a sentence of its own, in which a quoted command is only mentioned. */
const WORDS_AROUND_A_QUOTE = 3;

/**
 * The message with its quoted parts taken out, when enough is said around them; else as written (a
 * message that is nothing but `"STOP"` is still a stop).
 */
export function withoutQuotes(raw: string): string {
  const outside = raw.replace(QUOTED, ' ');
  if (outside === raw) return raw;
  return normalizeForIntent(outside).trim().split(' ').filter(Boolean).length >= WORDS_AROUND_A_QUOTE ? outside : raw;
}

/**
 * The command or request for a person a message expresses, if any. Read in this order: a request
 * to delete the data (it ends the messages too), to stop, why this message, a person. A negated
 * request ("don't stop") or a question about the command ("what does STOP do?") is none of them.
 */
export function recognizeIntent(raw: string): RecognizedIntent | undefined {
  const text = normalizeForIntent(withoutQuotes(raw));
  if (text.trim().length === 0) return undefined;
  const about = notTheCommand(text);
  const found = (intent: IntentName, pattern: Pattern): RecognizedIntent => ({
    intent,
    language: pattern.language ?? markedLanguage(text),
  });
  const offAList = matchOf(OFF_A_LIST, text);
  if (!about && !matchOf(NOT_DELETE, text)) {
    const del = matchOf(DELETE, offAList ? text.replace(offAList.re, ' ') : text);
    if (del) return found('delete', del);
  }
  if (!about && !matchOf(NOT_STOP, text)) {
    const stop = offAList ?? matchOf(STOP, text);
    if (stop) return found('stop', stop);
  }
  const why = matchOf(WHY, text);
  if (why && !about) return found('why', why);
  const human = matchOf(HUMAN, text);
  if (human && !declinesAPerson(text)) return found('human', human);
  return undefined;
}
