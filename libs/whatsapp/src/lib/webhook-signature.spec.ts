import { signWebhookBody, verifyWebhookSignature } from './webhook-signature';

const SECRET = 'an-app-secret-for-tests';
const BODY = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });

describe('webhook signature', () => {
  it('signs as sha256=<64 hex> and verifies its own signature, from a string or a Buffer', () => {
    const signature = signWebhookBody(BODY, SECRET);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signWebhookBody(Buffer.from(BODY), SECRET)).toBe(signature);
    expect(verifyWebhookSignature(BODY, signature, SECRET)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(BODY), signature.toUpperCase().replace('SHA256', 'sha256'), SECRET)).toBe(true);
  });

  it('matches an HMAC computed independently (Meta signs the raw bytes with the app secret)', () => {
    // echo -n 'hello' | openssl dgst -sha256 -hmac 'secret'
    expect(signWebhookBody('hello', 'secret')).toBe('sha256=88aab3ede8d3adf94d26ab90d3bafd4a2083070c3bcce9c014ee04a443847c0b');
  });

  it('rejects a tampered body, another secret, and malformed headers', () => {
    const signature = signWebhookBody(BODY, SECRET);
    expect(verifyWebhookSignature(BODY.replace('[]', '[1]'), signature, SECRET)).toBe(false);
    expect(verifyWebhookSignature(BODY, signature, 'another-app-secret')).toBe(false);
    for (const header of [
      undefined,
      '',
      'sha256=',
      'sha1=abc',
      signature.slice(0, -2),
      `${signature}00`,
      'sha256=zz'.padEnd(71, 'z'),
      [signature, signature],
    ]) {
      expect(verifyWebhookSignature(BODY, header, SECRET)).toBe(false);
    }
  });

  it('refuses to sign without a secret', () => {
    expect(() => signWebhookBody(BODY, '')).toThrow(TypeError);
  });
});
