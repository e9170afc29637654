import { FlagFilled } from '@ant-design/icons';

import { useI18n, type MessageKey } from '../i18n';
import { FLAGS, isFlag } from './labels';

/** A flag drawn in its colour, with its name for screen readers and tooltips. */
export function FlagMark({ flag }: { readonly flag: string | null }) {
  const { t } = useI18n();
  if (!isFlag(flag)) {
    return null;
  }
  const name = t(`flag.${flag}` as MessageKey);
  return <FlagFilled style={{ color: FLAGS[flag] }} aria-label={name} title={name} />;
}
