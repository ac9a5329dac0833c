import { personOf } from './erasure-release';

describe('personOf: how the assistant names the person of a "delete my data" request', () => {
  const personId = 'c'.repeat(64);

  it('by number when the contact opened to one (as before contract 1.2)', () => {
    expect(personOf('+33612345678', personId)).toEqual({ phone: '+33612345678' });
  });

  it('by personId when the contact is a business-scoped user id (a WhatsApp user who shares no number)', () => {
    expect(personOf('FR.8811223344556677', personId)).toEqual({ personId });
    expect(personOf('US.ENT.11815799212886844830', personId)).toEqual({ personId });
  });
});
