import { normalizeForIntent, recognizeIntent, withoutQuotes } from './intents';

const intentOf = (text: string) => recognizeIntent(text)?.intent;

describe('recognizeIntent', () => {
  it.each([
    ['Please stop messaging me', 'stop', 'en'],
    ["Arrête de m'envoyer des messages", 'stop', 'fr'],
    ['unsubscribe me from these messages', 'stop', 'en'],
    ['stop svp', 'stop', 'fr'],
    ['stp arretez de menvoyer des pubs', 'stop', 'fr'],
    ['plz stop txting me', 'stop', 'en'],
    ["ne m'envoyez plus rien", 'stop', 'fr'],
    ['Supprimez mes données svp', 'delete', 'fr'],
    ['Please delete all my personal information', 'delete', 'en'],
    ['why did I get this?', 'why', 'en'],
    ['Pourquoi je reçois ça ?', 'why', 'fr'],
    ['Comment avez-vous eu mon numéro ?', 'why', 'fr'],
    ['can I talk to a human', 'human', 'en'],
    ['je veux parler à un conseiller', 'human', 'fr'],
  ])('recognises %j as %s, in %s', (text, intent, language) => {
    expect(recognizeIntent(text)).toEqual({ intent, language });
  });

  it('leaves the language of a bare STOP open: the conversation or the business decides it', () => {
    expect(recognizeIntent('STOP')).toEqual({ intent: 'stop', language: undefined });
    expect(recognizeIntent(' Stop ! ')).toEqual({ intent: 'stop', language: undefined });
  });

  it('finds a command inside a longer sentence, with greetings and politeness around it', () => {
    expect(intentOf('Hi, nice shop, but please stop sending me promotions, thanks')).toBe('stop');
    expect(intentOf("Bonjour, je souhaite que vous supprimiez toutes mes données personnelles s'il vous plaît")).toBe('delete');
  });

  it.each([
    "don't stop",
    'please do not unsubscribe me, I love your offers',
    "n'arrêtez pas les messages",
    'what does STOP do?',
    'que se passe-t-il si je réponds STOP ?',
    'will stop also cancel my loyalty card?',
    'please do not delete my account',
    'why is my order late?',
    'pourquoi ma commande est en retard ?',
    'I stopped by your shop yesterday, are you open sunday?',
    'When does the sale stop?',
    'What are your opening hours?',
    // A command said not to be done, or asked about, whatever the command word.
    'no need to unsubscribe me, I like them',
    'inutile de me désinscrire, je lis tout',
    'how could I opt out one day?',
    'comment on fait pour se désabonner ?',
    'if I ever wanted to delete my data, could I?',
    "n'effacez pas mon compte",
    // Not wanted, in French too: the wish is negated before the command word.
    'je ne veux pas me désabonner, vos offres me plaisent',
    "pas question d'effacer mon historique, j'en ai besoin",
    'I have no intention to unsubscribe',
    // Asking whether a command exists, for later or out of curiosity.
    'do you have a keyword to opt out? just curious',
    'y a-t-il un lien pour se désinscrire ?',
    // What would follow a command, asked before doing it.
    'Is unsubscribing free?',
    'Si je me désabonne, je perds mes points ?',
    'if I delete my account, do I lose my points?',
    // A command word told or quoted, not said.
    'the lady at the till said to text stop to get fewer offers, is that true?',
    'une amie m’a dit de répondre STOP pour avoir moins de pubs',
    'in your last message, what is “STOP” for at the bottom?',
    // No person is needed: no hand-over.
    'no need for an agent, thanks, all sorted',
    'Pas besoin d’un conseiller, c’est bon',
    "j'ai pas besoin d'un humain, ça ira",
  ])('acts on no command for %j (a negation, a question about a command or what follows it, a quote, or a plain question)', (text) => {
    expect(intentOf(text)).toBeUndefined();
  });

  it('reads a delete request before a stop in the same message (erasure ends the messages too)', () => {
    expect(intentOf('stop messaging me and delete my data')).toBe('delete');
  });

  it.each([
    ['please remove my number from your mailing list', 'en'],
    ['Remove me from your contact list please', 'en'],
    ['can you take my phone number off the distribution list', 'en'],
    ['delete my number from your list', 'en'],
    ['Retirez mon numéro de votre liste svp', 'fr'],
    ['merci d’enlever mon 06 de la liste de diffusion', 'fr'],
    ['supprimez mon numéro de vos listes', 'fr'],
  ])('reads taking a number off a list as a stop, not an erasure: %j', (text, language) => {
    expect(recognizeIntent(text)).toEqual({ intent: 'stop', language });
  });

  it('still erases when the data, the account or a database is named beside or instead of a list', () => {
    expect(intentOf('remove my number from your mailing list and delete all my personal data')).toBe('delete');
    expect(intentOf('retirez mon numéro de votre liste et supprimez mes données')).toBe('delete');
    expect(intentOf('please delete my number and all my information')).toBe('delete');
    expect(intentOf('remove my number from your database')).toBe('delete');
    expect(intentOf('supprimez mon numéro de votre fichier client')).toBe('delete');
  });

  it('reads a word repeated as said once', () => {
    expect(normalizeForIntent('STOP STOP stop !!')).toBe(' stop ');
    expect(intentOf('arretez arretez svp svp')).toBe('stop');
  });

  it.each([
    ['je vous demande de ne plus me contacter', 'stop'],
    ['who passed you my number?', 'why'],
    ['qui vous a refilé mes coordonnées ?', 'why'],
    // A wish, a request named by its noun, "how come".
    ['I no longer wish to receive promotional messages', 'stop'],
    ['I request the deletion of my data', 'delete'],
    ['Je demande la suppression de mes données personnelles', 'delete'],
    ['Is there anyone I can speak with?', 'human'],
    ["how come I'm on your list? I never signed up", 'why'],
  ])('recognises %j as %s: the grammatical form, not a listed phrase', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });

  it.each([
    ['"STOP"', 'stop'],
    ['je ne veux plus recevoir vos pubs, stop', 'stop'],
    ['I do not want your messages any more, unsubscribe me', 'stop'],
  ])('still acts on %j: a quote alone, or a negation of the messages rather than of the command', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });

  it('keeps a quoted message as written when nothing is said around it', () => {
    expect(withoutQuotes('« stop »')).toBe('« stop »');
    expect(withoutQuotes('why does your message say "reply STOP"?')).toBe('why does your message say  ?');
  });

  it('spells out SMS writing and folds accents before reading', () => {
    expect(normalizeForIntent('Pk tu m’envoies ça stp ?')).toBe(' pourquoi tu m envoies ca svp ');
    expect(normalizeForIntent("DON'T")).toBe(' do not ');
  });
});
