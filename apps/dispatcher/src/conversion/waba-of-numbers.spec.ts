import { type WhatsAppWebhookPayload } from '@wt/whatsapp';
import { wabaOfNumbers } from './conversion-attribution';

describe('wabaOfNumbers', () => {
  it("maps each business number to its entry's account, and skips account-level changes that carry no number", () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '100000000000001',
          changes: [
            {
              field: 'messages',
              value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001', phone_number_id: 'P1' } },
            },
            { field: 'business_capability_update', value: { max_daily_conversations_per_business: 2000 } },
          ],
        },
        { id: '100000000000002', changes: [{ field: 'message_template_quality_update', value: { new_quality_score: 'RED' } }] },
      ],
    } as unknown as WhatsAppWebhookPayload;

    expect([...wabaOfNumbers(payload)]).toEqual([['P1', '100000000000001']]);
  });
});
