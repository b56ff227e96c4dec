import type { Recognition } from '../../domain/recognizer';
import type { ButtonName } from '../../domain/buttonName';

/** The labels a button shows, per button (all locales together). A click sends its label as text. */
export type ButtonLabels = Partial<Record<ButtonName, readonly string[]>>;

/** What pressing each button means. */
export const BUTTON_RECOGNITION: Readonly<Record<ButtonName, Readonly<Recognition>>> = {
  changePhone: { intent: 'changePhone' },
  faq: { intent: 'faq', faqId: 'menu' },
  agent: { intent: 'handoff' },
  yes: { intent: 'affirm' },
  no: { intent: 'deny' },
  confirm: { intent: 'affirm' },
  cancel: { intent: 'cancel' },
  resend: { intent: 'resend' },
  restart: { intent: 'restart' },
  helpful: { intent: 'feedback', helpful: true },
  notHelpful: { intent: 'feedback', helpful: false },
  stopWaiting: { intent: 'cancel' },
  cantReceive: { intent: 'cantReceive' },
  // What these say is the answer itself (a time of day, a rating): the chart reads the label.
  callbackMorning: { intent: 'none' },
  callbackAfternoon: { intent: 'none' },
  callbackEvening: { intent: 'none' },
  rate5: { intent: 'none' },
  rate4: { intent: 'none' },
  rate3: { intent: 'none' },
  rate2: { intent: 'none' },
  rate1: { intent: 'none' },
};

/** Every button name, in the order above (keys of a Record<ButtonName, …> are exactly ButtonName). */
export const BUTTON_NAMES = Object.keys(BUTTON_RECOGNITION) as ButtonName[];

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `button.<name>` as a flat key, or `{ button: { <name> } }` nested; blank labels are skipped. */
function labelIn(catalog: Readonly<Record<string, unknown>>, name: ButtonName): string | undefined {
  const flat = catalog[`button.${name}`];
  const group = catalog['button'];
  const label = typeof flat === 'string' ? flat : isRecord(group) ? group[name] : undefined;
  return typeof label === 'string' && label.trim() !== '' ? label : undefined;
}

/**
 * Collects the button labels from message catalogues (e.g. the parsed `content/zh-CN.json` and
 * `content/en-US.json`), for `createKeywordRecognizer({ buttonLabels })`. Missing keys are skipped.
 */
export function buttonLabelsFrom(catalogs: ReadonlyArray<Readonly<Record<string, unknown>>>): Record<ButtonName, string[]> {
  const labels = Object.fromEntries(BUTTON_NAMES.map((name) => [name, [] as string[]])) as Record<ButtonName, string[]>;
  for (const catalog of catalogs) {
    for (const name of BUTTON_NAMES) {
      const label = labelIn(catalog, name);
      if (label !== undefined && !labels[name].includes(label)) labels[name].push(label);
    }
  }
  return labels;
}

/** Knowledge-base topic titles (`faqTitle.<id>` keys) from message catalogues: faqId → titles. */
export function topicTitlesFrom(catalogs: ReadonlyArray<Readonly<Record<string, unknown>>>): Record<string, string[]> {
  const titles: Record<string, string[]> = {};
  for (const catalog of catalogs) {
    for (const [key, value] of Object.entries(catalog)) {
      if (!key.startsWith('faqTitle.') || typeof value !== 'string' || value.trim() === '') continue;
      const id = key.slice('faqTitle.'.length);
      titles[id] = [...new Set([...(titles[id] ?? []), value])];
    }
  }
  return titles;
}
