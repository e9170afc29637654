import type { MessageKey, Messages } from './zh-CN';

/** Values substituted into `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * Looks a key up in `messages` and fills its `{name}` placeholders from `params`.
 *
 * A placeholder without a value is left visible (`{name}`) rather than dropped, so a
 * missing argument shows up in review instead of silently producing a wrong sentence.
 */
export function formatMessage(messages: Messages, key: MessageKey, params?: MessageParams): string {
  const template = messages[key];
  if (params === undefined) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}
