/**
 * What the webhook handler reads of Meta's payload, checked before it reads it: a correctly signed
 * notification without `metadata` or a change without `value` used to throw (a 500 Meta retries for
 * days). Fields the handler does not read are not checked.
 */
export function webhookShapeProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const object = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const string = (value: unknown) => typeof value === 'string' && value.length > 0;
  const seconds = (value: unknown) => typeof value === 'string' && /^\d{1,12}$/.test(value);
  const need = (ok: boolean, path: string, what: string) => {
    if (!ok) problems.push(`${path}: ${what}`);
    return ok;
  };

  if (!need(object(payload), '(root)', 'must be an object') || !object(payload)) return problems;
  if (!need(Array.isArray(payload['entry']), 'entry', 'must be an array')) return problems;
  (payload['entry'] as unknown[]).forEach((entry, e) => {
    if (!need(object(entry) && Array.isArray(entry['changes']), `entry[${e}].changes`, 'must be an array') || !object(entry)) return;
    (entry['changes'] as unknown[]).forEach((change, c) => {
      const at = `entry[${e}].changes[${c}]`;
      if (!need(object(change), at, 'must be an object') || !object(change)) return;
      if (change['field'] !== 'messages' && change['field'] !== 'user_preferences') return; // another field: not read
      const value = change['value'];
      if (!need(object(value), `${at}.value`, 'is missing') || !object(value)) return;
      const metadata = value['metadata'];
      need(object(metadata) && string(metadata['phone_number_id']), `${at}.value.metadata.phone_number_id`, 'is missing');
      const list = (name: string, check: (item: Record<string, unknown>, path: string) => void) => {
        const items = value[name];
        if (items === undefined) return;
        if (!need(Array.isArray(items), `${at}.value.${name}`, 'must be an array')) return;
        (items as unknown[]).forEach((item, i) => {
          const path = `${at}.value.${name}[${i}]`;
          if (need(object(item), path, 'must be an object') && object(item)) check(item, path);
        });
      };
      list('statuses', (status, path) => {
        need(string(status['id']), `${path}.id`, 'must be a string');
        need(string(status['status']), `${path}.status`, 'must be a string');
        need(seconds(status['timestamp']), `${path}.timestamp`, 'must be Unix seconds as a string');
        const opaque = status['biz_opaque_callback_data'];
        need(opaque === undefined || typeof opaque === 'string', `${path}.biz_opaque_callback_data`, 'must be a string');
        const errors = status['errors'];
        if (errors !== undefined) {
          const ok = Array.isArray(errors) && errors.every((error) => object(error) && Number.isInteger(error['code']));
          need(ok, `${path}.errors`, 'must be an array of errors with an integer code');
        }
      });
      list('messages', (message, path) => {
        need(string(message['id']), `${path}.id`, 'must be a string');
        // Since 2026 a sender who shares no number is named by a business-scoped user id only.
        const named = string(message['from']) || string(message['from_user_id']) || string(message['from_parent_user_id']);
        need(named, `${path}.from`, 'must be a string (or from_user_id, for a user who shares no number)');
        const system = message['system'];
        need(system === undefined || (object(system) && string(system['type'])), `${path}.system.type`, 'must be a string');
        need(seconds(message['timestamp']), `${path}.timestamp`, 'must be Unix seconds as a string');
        need(string(message['type']), `${path}.type`, 'must be a string');
        const text = message['text'];
        need(text === undefined || (object(text) && typeof text['body'] === 'string'), `${path}.text.body`, 'must be a string');
        const button = message['button'];
        need(button === undefined || (object(button) && typeof button['text'] === 'string'), `${path}.button.text`, 'must be a string');
        const context = message['context'];
        need(context === undefined || (object(context) && string(context['id'])), `${path}.context.id`, 'must be a string');
      });
      list('user_preferences', (preference, path) => {
        const named = string(preference['wa_id']) || string(preference['user_id']) || string(preference['parent_user_id']);
        need(named, `${path}.wa_id`, 'must be a string (or user_id, for a user who shares no number)');
        need(seconds(preference['timestamp']), `${path}.timestamp`, 'must be Unix seconds as a string');
        need(string(preference['value']), `${path}.value`, 'must be a string');
        need(string(preference['category']), `${path}.category`, 'must be a string');
      });
    });
  });
  return problems;
}
