import { type ApiKeyPrincipal } from '@wt/business-auth';
import { consentRefusal, engagementRefusal, httpAttribution } from './door-authorization';

const business: ApiKeyPrincipal = { keyId: 'AbCdEfGhIjKl', businessId: 'acme', scopes: ['consent:write'] };
const producer: ApiKeyPrincipal = { keyId: 'MnOpQrStUvWx', source: 'instagram', scopes: ['engagement:write'] };

describe('what a key may send through the HTTP doors', () => {
  it("lets a business key write its own business's consents and platform-wide ones", () => {
    expect(consentRefusal([{ businessId: 'acme' }, { purpose: 'cross_app_profiling' }, 'not an object'], business)).toBeUndefined();
  });

  it('refuses the whole request when one consent is for another business, naming it', () => {
    expect(consentRefusal([{ businessId: 'acme' }, { businessId: 'globex' }], business)).toMatch(
      /consents\[1\] is for business "globex", but this API key \(AbCdEfGhIjKl\) is business "acme"'s/,
    );
  });

  it('refuses consents from a producer key, and events from a business key', () => {
    expect(consentRefusal([{ businessId: 'acme' }], producer)).toMatch(/belongs to no business/);
    expect(engagementRefusal([{ source: 'instagram' }], business)).toMatch(/bound to no source/);
  });

  it("lets a producer key send its own source's events only", () => {
    expect(engagementRefusal([{ source: 'instagram' }, {}], producer)).toBeUndefined();
    expect(engagementRefusal([{ source: 'instagram' }, { source: 'facebook' }], producer)).toMatch(
      /events\[1\] comes from source "facebook", but this API key \(MnOpQrStUvWx\) is the producer key of "instagram"/,
    );
  });

  it('attributes HTTP consents to the key and its business', () => {
    expect(httpAttribution(business)).toEqual({ assertedVia: 'http_api', assertedBy: 'acme', assertedKeyId: 'AbCdEfGhIjKl' });
  });
});
