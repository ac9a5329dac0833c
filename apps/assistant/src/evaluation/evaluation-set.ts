import { type AssistantAction } from '../conversation/assistant-policy';
import { type KnowledgeEntry } from '../retrieval/knowledge-index';

export type Shop = 'shoes' | 'perfume';

export const ANSWERABLE_CATEGORIES = [
  'answerable-en',
  'answerable-fr',
  'mixed',
  'short',
  'sms',
  'typos',
  'no-accents',
  'greeting',
  'long',
  'cross-language',
] as const;
export type Category = (typeof ANSWERABLE_CATEGORIES)[number] | 'unanswerable' | 'command' | 'not-command';
export const CATEGORIES: readonly Category[] = [...ANSWERABLE_CATEGORIES, 'unanswerable', 'command', 'not-command'];

/** What the assistant should do: answer with an entry (its topic), hand over, run a command, or anything but a command. */
export type Expectation = string;

export interface EvaluationMessage {
  readonly shop: Shop;
  readonly category: Category;
  readonly text: string;
  readonly expect: Expectation;
}

/** `hours-en` and `hours-fr` answer the same question: the topic is the id without its language. */
export const topicOf = (entryId: string) => entryId.replace(/-(en|fr)$/, '');

export type Verdict = 'right' | 'wrong_answer' | 'needless_handoff' | 'missed_handoff' | 'missed_command' | 'wrong_command';

/** One message's verdict: what the assistant did against what it should have done. */
export function judge(message: EvaluationMessage, action: AssistantAction): Verdict {
  const expect = message.expect;
  if (expect === 'no-command') return action.kind === 'command' ? 'wrong_command' : 'right';
  if (expect.startsWith('!')) {
    const wanted = expect.slice(1);
    if (wanted === 'human') {
      if (action.kind === 'handoff' && action.reason === 'requested') return 'right';
      return action.kind === 'command' ? 'wrong_command' : 'missed_command';
    }
    if (action.kind === 'command') return action.command === wanted ? 'right' : 'wrong_command';
    return 'missed_command';
  }
  if (action.kind === 'command') return 'wrong_command';
  if (expect === 'handoff') return action.kind === 'handoff' ? 'right' : 'missed_handoff';
  if (action.kind === 'handoff') return 'needless_handoff';
  return topicOf(action.match.entry.id) === topicOf(expect) ? 'right' : 'wrong_answer';
}

export interface CategoryResult {
  category: Category;
  total: number;
  right: number;
  verdicts: Record<Verdict, number>;
}

export interface EvaluationReport {
  categories: CategoryResult[];
  total: number;
  answerable: { total: number; right: number };
  unanswerable: { total: number; handedOff: number };
  commands: { total: number; recognized: number; actedWrongly: number };
  /** Answers sent that were wrong: a wrong entry, or an answer where a handoff or command was due. */
  answeredWrongly: number;
  failures: { message: EvaluationMessage; verdict: Verdict; did: string }[];
}

export const describeAction = (action: AssistantAction): string =>
  action.kind === 'answer'
    ? `answer ${action.match.entry.id} (${action.match.confidence.toFixed(2)})`
    : action.kind === 'command'
      ? `command ${action.command} [${action.language}]`
      : `handoff ${action.reason}${action.best ? ` (best ${action.best.entry.id} ${action.best.confidence.toFixed(2)})` : ''}`;

/** Scores a set: per category, and against the goals of the issue. */
export async function evaluate(
  messages: readonly EvaluationMessage[],
  act: (message: EvaluationMessage) => Promise<AssistantAction>,
): Promise<EvaluationReport> {
  const byCategory = new Map<Category, CategoryResult>();
  const report: EvaluationReport = {
    categories: [],
    total: messages.length,
    answerable: { total: 0, right: 0 },
    unanswerable: { total: 0, handedOff: 0 },
    commands: { total: 0, recognized: 0, actedWrongly: 0 },
    answeredWrongly: 0,
    failures: [],
  };
  for (const message of messages) {
    const action = await act(message);
    const verdict = judge(message, action);
    let result = byCategory.get(message.category);
    if (!result) {
      result = {
        category: message.category,
        total: 0,
        right: 0,
        verdicts: { right: 0, wrong_answer: 0, needless_handoff: 0, missed_handoff: 0, missed_command: 0, wrong_command: 0 },
      };
      byCategory.set(message.category, result);
    }
    result.total += 1;
    result.verdicts[verdict] += 1;
    if (verdict === 'right') result.right += 1;
    else report.failures.push({ message, verdict, did: describeAction(action) });
    if (action.kind === 'answer' && verdict !== 'right') report.answeredWrongly += 1;
    if (action.kind === 'command' && verdict !== 'right') report.commands.actedWrongly += 1;
    if ((ANSWERABLE_CATEGORIES as readonly string[]).includes(message.category)) {
      report.answerable.total += 1;
      if (verdict === 'right') report.answerable.right += 1;
    } else if (message.category === 'unanswerable') {
      report.unanswerable.total += 1;
      if (action.kind === 'handoff') report.unanswerable.handedOff += 1;
    } else if (message.category === 'command') {
      report.commands.total += 1;
      if (verdict === 'right') report.commands.recognized += 1;
    }
  }
  report.categories = CATEGORIES.flatMap((category) => {
    const result = byCategory.get(category);
    return result ? [result] : [];
  });
  return report;
}

/** The goals of issue 20, checked on a report. */
export function goals(report: EvaluationReport): { name: string; value: number; goal: string; met: boolean }[] {
  const share = (a: number, b: number) => (b === 0 ? 1 : a / b);
  const answerable = share(report.answerable.right, report.answerable.total);
  const wrong = share(report.answeredWrongly, report.total);
  const handedOff = share(report.unanswerable.handedOff, report.unanswerable.total);
  const commands = share(report.commands.recognized, report.commands.total);
  return [
    { name: 'answerable answered right', value: answerable, goal: '>= 85 %', met: answerable >= 0.85 },
    { name: 'all messages answered wrongly', value: wrong, goal: '<= 1 %', met: wrong <= 0.01 },
    { name: 'unanswerable handed off', value: handedOff, goal: '>= 95 %', met: handedOff >= 0.95 },
    { name: 'commands recognised', value: commands, goal: '>= 95 %', met: commands >= 0.95 },
    {
      name: 'commands acted on wrongly',
      value: report.commands.actedWrongly,
      goal: '= 0',
      met: report.commands.actedWrongly === 0,
    },
  ];
}

export type KnowledgeBases = Record<Shop, readonly KnowledgeEntry[]>;
