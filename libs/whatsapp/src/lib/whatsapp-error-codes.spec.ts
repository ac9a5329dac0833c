import { classifyWhatsAppError, WHATSAPP_ERROR_CODES, whatsAppErrorTitle, type WhatsAppErrorCategory } from './whatsapp-error-codes';

describe('classifyWhatsAppError', () => {
  const cases: Array<[number, WhatsAppErrorCategory]> = [
    [130429, 'retry'],
    [131056, 'retry'],
    [131057, 'retry'],
    [1, 'retry'],
    [2, 'retry'],
    [131016, 'retry'],
    [131049, 'retry-later'],
    [131050, 'revoke-consent'],
    [131026, 'mark-unreachable'],
    [131047, 'require-template'],
    [131048, 'pause-campaigns'],
    [190, 'halt-sending'],
    [100, 'permanent'],
    [132000, 'permanent'],
    [132001, 'permanent'],
    [131051, 'permanent'],
  ];

  it.each(cases)('classifies %i as %s whatever the HTTP status', (code, category) => {
    expect(classifyWhatsAppError(code, 400)).toBe(category);
    expect(classifyWhatsAppError(code, 500)).toBe(category);
    expect(classifyWhatsAppError(code)).toBe(category);
  });

  it('falls back on the HTTP status for unknown codes and responses without a Graph error', () => {
    expect(classifyWhatsAppError(null, 503)).toBe('retry');
    expect(classifyWhatsAppError(null, 500)).toBe('retry');
    expect(classifyWhatsAppError(999999, 502)).toBe('retry');
    expect(classifyWhatsAppError(null, 429)).toBe('retry');
    expect(classifyWhatsAppError(null, 408)).toBe('retry');
    expect(classifyWhatsAppError(999999, 400)).toBe('permanent');
    expect(classifyWhatsAppError(null, 404)).toBe('permanent');
    expect(classifyWhatsAppError(undefined)).toBe('permanent');
    expect(classifyWhatsAppError(200, 403)).toBe('permanent');
  });

  it('knows Meta titles', () => {
    expect(whatsAppErrorTitle(131047)).toBe('Re-engagement message');
    expect(whatsAppErrorTitle(424242)).toBe('WhatsApp error 424242');
    expect(WHATSAPP_ERROR_CODES.get(190)).toEqual({
      code: 190,
      title: 'Access token has expired',
      category: 'halt-sending',
    });
  });
});
