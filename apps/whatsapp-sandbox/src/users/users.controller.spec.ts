import { inboundMessagesOf, type MessageStatusUpdate } from '@wt/whatsapp';
import { eventually, nextRecipient, useSandbox } from '../testing/sandbox-harness';
import { type UserIdentifiers } from './sandbox-users';

const template = (to: { to: string } | { recipient: string }) => ({
  messaging_product: 'whatsapp',
  ...to,
  type: 'template',
  template: { name: 'spring_sale', language: { code: 'en' } },
});

/** Business-scoped user ids and usernames (Meta, 2026), as the sandbox imitates them. */
describe('sandbox: business-scoped user ids and usernames', () => {
  const bed = useSandbox({ SANDBOX_THROUGHPUT_MPS: '0', SANDBOX_PAIR_INTERVAL_MS: '0' });

  const register = async (body: object) => {
    const { status, body: ids } = await bed.sandbox.request('POST', '/sandbox/users', body);
    expect(status).toBe(200);
    return ids as UserIdentifiers;
  };
  const statuses = (wamid: string) => bed.receiver.statusesFor(wamid);

  it('names every recipient by BSUID in statuses, and by number only when it is shared', async () => {
    const shared = nextRecipient();
    const sent = await bed.sandbox.request('POST', '/v21.0/1000001/messages', template({ to: shared }));
    const wamid = (sent.body as { messages: { id: string }[] }).messages[0]?.id as string;
    const delivered = await eventually(() => statuses(wamid).find((s) => s.status === 'delivered'));
    expect(delivered.recipient_id).toBe(shared.slice(1));
    expect(delivered.recipient_user_id).toMatch(/^DE\.\d{19}$/);

    const hidden = nextRecipient();
    const ids = await register({ phone: hidden, username: 'ana.k', hidePhone: true, parentId: true });
    expect(ids).toEqual({
      user_id: expect.stringMatching(/^DE\.\d{19}$/) as unknown,
      parent_user_id: expect.stringMatching(/^DE\.ENT\.\d{19}$/) as unknown,
      username: 'ana.k',
    });
    const byBsuid = await bed.sandbox.request('POST', '/v21.0/1000001/messages', template({ recipient: ids.user_id }));
    expect(byBsuid.status).toBe(200);
    expect(byBsuid.body).toMatchObject({ contacts: [{ input: ids.user_id, user_id: ids.user_id }] });
    expect(JSON.stringify(byBsuid.body)).not.toContain(hidden.slice(1));
    const bsuidWamid = (byBsuid.body as { messages: { id: string }[] }).messages[0]?.id as string;
    const update = await eventually(() => statuses(bsuidWamid).find((s) => s.status === 'delivered'));
    expect(update).toMatchObject<Partial<MessageStatusUpdate>>({
      recipient_user_id: ids.user_id,
      recipient_parent_user_id: ids.parent_user_id,
    });
    expect(update.recipient_id).toBeUndefined();
    const listed = await bed.sandbox.request('GET', `/sandbox/messages?to=${ids.user_id}`);
    expect(listed.body).toEqual([expect.objectContaining({ wamid: bsuidWamid, to: ids.user_id, toBsuid: true })]);
  });

  it('refuses a send to a BSUID it never gave out, naming the parameter', async () => {
    const { status, body } = await bed.sandbox.request('POST', '/v21.0/1000001/messages', template({ recipient: 'US.4242424242' }));
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('recipient');
  });

  it('delivers an inbound message from a user who withholds their number with only the BSUID and the username', async () => {
    const phone = nextRecipient();
    const ids = await register({ phone, username: 'leo_b', hidePhone: true });
    const { status } = await bed.sandbox.request('POST', '/sandbox/inbound', {
      fromUserId: ids.user_id,
      phoneNumberId: '1000001',
      text: 'STOP',
    });
    expect(status).toBe(202);
    const [received] = await eventually(() => {
      const found = bed.receiver.received
        .flatMap((w) => inboundMessagesOf(w.payload))
        .filter((m) => m.message.from_user_id === ids.user_id);
      return found.length > 0 && found;
    });
    expect(received?.message.from).toBeUndefined();
    expect(received?.contact).toEqual({ profile: { name: 'Sandbox User', username: 'leo_b' }, user_id: ids.user_id });
    expect(JSON.stringify(bed.receiver.received.map((w) => w.payload))).not.toContain(phone.slice(1));
  });

  it('answers a change of number with a new BSUID and a user_changed_number system message', async () => {
    const phone = nextRecipient();
    const newPhone = nextRecipient();
    const before = await register({ phone });
    const { status, body } = await bed.sandbox.request('POST', '/sandbox/users/change-number', {
      phone,
      newPhone,
      phoneNumberId: '1000001',
    });
    expect(status).toBe(202);
    const { after } = body as { after: UserIdentifiers };
    expect(after.user_id).not.toBe(before.user_id);
    expect(after.wa_id).toBe(newPhone.slice(1));
    const system = await eventually(() =>
      bed.receiver.received
        .flatMap((w) => inboundMessagesOf(w.payload))
        .find((m) => m.message.type === 'system' && m.message.from_user_id === before.user_id),
    );
    expect(system.message).toMatchObject({
      from: phone.slice(1),
      system: { type: 'user_changed_number', wa_id: newPhone.slice(1), user_id: after.user_id },
    });
    expect(system.contact).toBeUndefined();
    // The new number's BSUID reaches the user at their new number.
    const sent = await bed.sandbox.request('POST', '/v21.0/1000001/messages', template({ recipient: after.user_id }));
    expect(sent.body).toMatchObject({ contacts: [{ wa_id: newPhone.slice(1), user_id: after.user_id }] });
  });
});
