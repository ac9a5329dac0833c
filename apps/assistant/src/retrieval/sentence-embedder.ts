import { Tokenizer } from '@huggingface/tokenizers';
import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** The files of a sentence-embedding model: an ONNX graph (BERT-like: input_ids, attention_mask, token_type_ids) and its tokenizer.json. */
export interface EmbeddingModelFiles {
  model: string;
  tokenizer: string;
  /** What the model expects before each text (e5 models: `query: `); none by default. */
  prefix?: string;
}

/** What the knowledge index needs of a model: one unit vector per text. */
export interface TextEmbedder {
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Longer messages are cut: the model was trained on sentences, and the cost grows with the square of the length. */
const MAX_TOKENS = 128;

/**
 * A sentence-embedding model run in the process with onnxruntime-node (CPU, one thread: the
 * service's budget is one core). Each text becomes a unit vector (mean of the token vectors, the
 * padding left out), so the dot product of two is their cosine similarity.
 */
export class SentenceEmbedder implements TextEmbedder {
  private constructor(
    private readonly session: InferenceSession,
    private readonly tokenizer: Tokenizer,
    readonly dimensions: number,
    private readonly prefix = '',
  ) {}

  static async load(files: EmbeddingModelFiles): Promise<SentenceEmbedder> {
    const [tokenizerJson, session] = await Promise.all([
      readFile(files.tokenizer, 'utf8'),
      InferenceSession.create(files.model, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' }),
    ]);
    const tokenizer = new Tokenizer(JSON.parse(tokenizerJson) as object, {});
    const embedder = new SentenceEmbedder(session, tokenizer, 0, files.prefix);
    const [probe] = await embedder.embed(['probe']);
    return new SentenceEmbedder(session, tokenizer, probe?.length ?? 0, files.prefix);
  }

  /** One unit vector per text, in one run of the model (the texts padded to the longest). */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const encoded = texts.map((text) => {
      const encoding = this.tokenizer.encode(this.prefix + (text.length > 0 ? text : ' '));
      const length = Math.min(encoding.ids.length, MAX_TOKENS);
      return { ids: encoding.ids.slice(0, length), mask: encoding.attention_mask.slice(0, length) };
    });
    const width = Math.max(...encoded.map((e) => e.ids.length));
    const ids = new BigInt64Array(texts.length * width);
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((e, row) => {
      e.ids.forEach((id: number, i: number) => {
        ids[row * width + i] = BigInt(id);
        mask[row * width + i] = BigInt(e.mask[i] ?? 1);
      });
    });
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', ids, [texts.length, width]),
      attention_mask: new Tensor('int64', mask, [texts.length, width]),
    };
    if (this.session.inputNames.includes('token_type_ids')) {
      feeds['token_type_ids'] = new Tensor('int64', new BigInt64Array(texts.length * width), [texts.length, width]);
    }
    const output = await this.session.run(feeds);
    const hidden = output[this.session.outputNames[0] ?? 'last_hidden_state'];
    if (!hidden) throw new Error('the embedding model returned no output');
    const data = hidden.data as Float32Array;
    const dims = hidden.dims[2] ?? 0;
    return encoded.map((e, row) => {
      const vector = new Float32Array(dims);
      let tokens = 0;
      for (let i = 0; i < width; i++) {
        if (mask[row * width + i] === 0n) continue;
        tokens++;
        const offset = (row * width + i) * dims;
        for (let d = 0; d < dims; d++) vector[d]! += data[offset + d]!;
      }
      let norm = 0;
      for (let d = 0; d < dims; d++) {
        vector[d]! /= Math.max(1, tokens);
        norm += vector[d]! * vector[d]!;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dims; d++) vector[d]! /= norm;
      return vector;
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** The cosine similarity of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
