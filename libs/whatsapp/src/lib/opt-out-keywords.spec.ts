import { isOptOutMessage } from './opt-out-keywords';

describe('isOptOutMessage', () => {
  it.each([
    'STOP',
    'stop',
    ' Stop ',
    'STOP!',
    'ARRET',
    'ARRÊT',
    'arrêt',
    'UNSUBSCRIBE',
    'Unsubscribe.',
    'DESABONNER',
    'DÉSABONNER',
    'désabonner',
  ])('is an opt-out: %p', (text) => expect(isOptOutMessage(text)).toBe(true));

  it.each(['', 'stop sending me this', 'how do I stop my order?', 'STOPPED', 'arrête', 'S T O P', 'non', undefined])(
    'is not an opt-out: %p',
    (text) => expect(isOptOutMessage(text)).toBe(false),
  );
});
