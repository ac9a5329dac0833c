import { type SandboxConfig } from '../sandbox.config';
import { SandboxUsers } from './sandbox-users';

const config = { SANDBOX_WABA_ID: '102290129340398' } as SandboxConfig;
// libphonenumber's example numbers: a German mobile and a US (+1) number.
const GERMAN = '+4915123456789';
const US = '+12015550123';

/** The country of a user's number: read once per number (a send to a US number needs it for Meta's 131049). */
describe('SandboxUsers.countryOf', () => {
  it("gives the number's country, and none for a number that does not parse", () => {
    const users = new SandboxUsers(config);
    expect(users.countryOf(GERMAN.slice(1))).toBe('DE');
    expect(users.countryOf(US.slice(1))).toBe('US');
    expect(users.countryOf('999')).toBeUndefined();
    // A BSUID still starts with US for a number without a country, as before.
    expect(users.identifiersOf('999').user_id).toMatch(/^US\.\d{19}$/);
  });

  it('follows a change of number: the new number has its own country and BSUID prefix', () => {
    const users = new SandboxUsers(config);
    expect(users.identifiersOf(GERMAN.slice(1)).user_id).toMatch(/^DE\./);
    const { after } = users.changeNumber(GERMAN, US);
    expect(users.countryOf(US.slice(1))).toBe('US');
    expect(after.user_id).toMatch(/^US\.\d{19}$/);
  });
});
