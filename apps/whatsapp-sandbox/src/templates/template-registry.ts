import { Injectable } from '@nestjs/common';
import type { TemplateMessage } from '@wt/whatsapp';
import { GraphApiError } from '../graph/graph-api.error';

/** One approved template in one language, as the sandbox knows it. */
export interface RegisteredTemplate {
  phoneNumberId: string;
  name: string;
  /** Language code, e.g. `en_US`: Meta keys a template's translations by it. */
  language: string;
  /** Placeholders (`{{1}}`, `{{name}}`) in the body: a send must give exactly as many body parameters. */
  bodyParameters: number;
  /** Sandbox-only: what the template is about, for the simulated recipients' reactions. */
  categories: readonly string[];
  /**
   * Meta's category (`MARKETING`, `UTILITY`, `AUTHENTICATION`): what each delivered message is
   * billed as. A template never registered counts as marketing.
   */
  category?: string;
  /** The template's time-to-live in seconds, when set (`message_send_ttl_seconds`). */
  ttlSeconds?: number;
  /** When it was registered (`Date.now()`): the Marketing Messages API needs it synced with the ad account first. */
  registeredAt?: number;
}

/** Meta's customizable TTL range per category (seconds). */
export const TTL_RANGES: Record<string, readonly [number, number]> = {
  MARKETING: [43_200, 2_592_000],
  UTILITY: [30, 43_200],
  AUTHENTICATION: [30, 900],
};

/** Counts distinct `{{…}}` placeholders of a template body text. */
export function countPlaceholders(text: string): number {
  return new Set([...text.matchAll(/\{\{\s*([\w]+)\s*\}\}/g)].map((match) => match[1])).size;
}

/**
 * Templates per business phone number. A phone_number_id with no registered template accepts any
 * template (so the demo and tests need no setup); once a business registers one, only its
 * registered templates pass, checked the way Meta checks them:
 * unknown name or language → 132001, body parameter count → 132000.
 */
@Injectable()
export class TemplateRegistry {
  private readonly byNumber = new Map<string, Map<string, RegisteredTemplate>>();

  register(template: RegisteredTemplate): RegisteredTemplate {
    let templates = this.byNumber.get(template.phoneNumberId);
    if (!templates) {
      templates = new Map();
      this.byNumber.set(template.phoneNumberId, templates);
    }
    templates.set(key(template.name, template.language), template);
    return template;
  }

  list(phoneNumberId?: string): RegisteredTemplate[] {
    const numbers = phoneNumberId === undefined ? [...this.byNumber.values()] : [this.byNumber.get(phoneNumberId)];
    return numbers.flatMap((templates) => (templates ? [...templates.values()] : []));
  }

  clear(): number {
    const count = this.list().length;
    this.byNumber.clear();
    return count;
  }

  /** The registered template a send uses (undefined for a number without registry), or Meta's error. */
  check(phoneNumberId: string, template: TemplateMessage): RegisteredTemplate | undefined {
    const templates = this.byNumber.get(phoneNumberId);
    if (!templates) return undefined;
    const registered = templates.get(key(template.name, template.language.code));
    if (!registered) throw GraphApiError.templateNotFound(template.name, template.language.code);
    const given = (template.components ?? [])
      .filter((component) => component.type === 'body')
      .reduce((sum, component) => sum + component.parameters.length, 0);
    if (given !== registered.bodyParameters) throw GraphApiError.templateParameterMismatch(registered.bodyParameters, given);
    return registered;
  }
}

const key = (name: string, language: string) => `${name}\u0000${language}`;
