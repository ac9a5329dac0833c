import { maskPhoneNumber } from './phone-masking';

describe('maskPhoneNumber', () => {
  it('keeps the last two digits only', () => {
    expect(maskPhoneNumber('+4915112345678')).toBe('…78');
    expect(maskPhoneNumber('4915112345678')).toBe('…78');
    expect(maskPhoneNumber('12')).toBe('…');
  });
});
