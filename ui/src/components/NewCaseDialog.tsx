import {
  Alert,
  App as AntdApp,
  Button,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Typography,
  type InputRef,
} from 'antd';
import { useRef, useState, type ClipboardEvent } from 'react';

import { addCase, type NewCase } from '../api';
import { describeError, useI18n, type MessageKey } from '../i18n';
import { FlagMark } from './FlagMark';
import { FLAGS, KINDS, kindLabel } from './labels';

/** The marketplaces a hand-made case can belong to, as the Rust side spells their keys. */
export const PLATFORMS = ['taobao', 'tmall', 'other'] as const;
type Platform = (typeof PLATFORMS)[number];

/** Turns full-width digits (as a Chinese input method may type or copy them) into ASCII. */
function asciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/**
 * The order number in a pasted text: the first run of 15 to 20 digits that is not part of
 * a longer run. Sellers copy whole lines out of the back office or a chat ("订单号：
 * 4012345678901234567 复制"); a phone number (11 digits) or a longer id is skipped.
 * `null` when the text holds no such run.
 */
export function extractOrderNo(text: string): string | null {
  const match = /(?<!\d)\d{15,20}(?!\d)/.exec(asciiDigits(text));
  return match ? match[0] : null;
}

/** Why a yuan amount was refused. */
export type YuanError = 'notNumber' | 'negative' | 'tooPrecise' | 'tooLarge';

/** A yuan amount read as fen; `fen` is `null` when nothing was written. */
export type YuanResult =
  | { readonly ok: true; readonly fen: number | null }
  | { readonly ok: false; readonly error: YuanError };

/** The translated explanation of each {@link YuanError}. */
export const YUAN_ERRORS: Record<YuanError, MessageKey> = {
  notNumber: 'newCase.amount.notNumber',
  negative: 'newCase.amount.negative',
  tooPrecise: 'newCase.amount.tooPrecise',
  tooLarge: 'newCase.amount.tooLarge',
};

/** The most fen digits accepted: well inside the integers a JS number holds exactly. */
const MAX_FEN_DIGITS = 13;

/**
 * Reads an amount typed in yuan ("12.5", "¥1,234.50", "８元") as integer fen, with string
 * arithmetic only: the digits before and after the point are joined, so "4.35" is exactly
 * 435 and never 434.99999999999994. More than two decimals, negative amounts and anything
 * that is not a plain number are refused rather than rounded or guessed; a comma is read
 * only as a thousands separator ("12,5" is refused, not read as 125).
 */
export function yuanToFen(text: string): YuanResult {
  // NFKC turns full-width digits, points, signs and ￥ into their ASCII forms.
  let s = text.normalize('NFKC').replace(/\s+/g, '');
  s = s.replace(/^¥/, '').replace(/元$/, '');
  if (s === '') {
    return { ok: true, fen: null };
  }
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  }
  if (s.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) {
      return { ok: false, error: 'notNumber' };
    }
    s = s.replace(/,/g, '');
  }
  const match = /^(\d*)(?:\.(\d*))?$/.exec(s);
  const whole = match?.[1] ?? '';
  const frac = match?.[2] ?? '';
  if (!match || (whole === '' && frac === '')) {
    return { ok: false, error: 'notNumber' };
  }
  if (negative) {
    return { ok: false, error: 'negative' };
  }
  if (frac.length > 2) {
    return { ok: false, error: 'tooPrecise' };
  }
  const digits = `${whole}${frac.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_FEN_DIGITS) {
    return { ok: false, error: 'tooLarge' };
  }
  return { ok: true, fen: Number.parseInt(digits, 10) };
}

/** What the form holds; every text as typed. */
export interface NewCaseFormValues {
  readonly platform?: Platform;
  readonly order_no?: string;
  readonly refund_no?: string;
  readonly buyer_nick?: string;
  readonly item_title?: string;
  readonly reason_text?: string;
  readonly refund_yuan?: string;
  readonly kind?: string | null;
  readonly flag?: string | null;
  readonly assignee?: string;
}

/** The form's values as the `add_case` input, or the key of why they cannot be sent. */
export function toNewCase(
  values: NewCaseFormValues,
): { readonly ok: true; readonly input: NewCase } | { readonly ok: false; readonly error: MessageKey } {
  const text = (value: string | undefined) => value?.trim() || null;
  const input = {
    platform: values.platform ?? null,
    order_no: text(values.order_no),
    refund_no: text(values.refund_no),
    buyer_nick: text(values.buyer_nick),
    item_title: text(values.item_title),
    reason_text: text(values.reason_text),
    refund_fen: null as number | null,
    kind: values.kind ?? null,
    flag: values.flag ?? null,
    assignee: text(values.assignee),
  };
  if (!input.order_no && !input.refund_no && !input.buyer_nick) {
    return { ok: false, error: 'newCase.required' };
  }
  const amount = yuanToFen(values.refund_yuan ?? '');
  if (!amount.ok) {
    return { ok: false, error: YUAN_ERRORS[amount.error] };
  }
  input.refund_fen = amount.fen;
  return { ok: true, input };
}

/** Props of {@link NewCaseDialog}. */
export interface NewCaseDialogProps {
  readonly open: boolean;
  /** Closes the dialog without creating anything. */
  readonly onClose: () => void;
  /** Called with the new case's id once it is stored. */
  readonly onCreated: (caseId: string) => void;
}

/**
 * 新建售后单: a case opened by hand, for a chat that has no refund yet or another
 * platform. Pasting a whole line into the order-number field keeps just the order number.
 * Escape closes; Enter in the last field creates the case.
 */
export function NewCaseDialog({ open, onClose, onCreated }: NewCaseDialogProps) {
  const { t, errorText, locale } = useI18n();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<NewCaseFormValues>();
  const orderRef = useRef<InputRef>(null);
  const [pasted, setPasted] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const close = () => {
    if (saving) return;
    setPasted(null);
    setError(null);
    onClose();
  };

  const onOrderPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const text = event.clipboardData.getData('text');
    const orderNo = extractOrderNo(text);
    if (orderNo === null || orderNo === text.trim()) {
      setPasted(null);
      return;
    }
    event.preventDefault();
    form.setFieldValue('order_no', orderNo);
    setPasted(orderNo);
  };

  const submit = async () => {
    if (saving) return;
    let values: NewCaseFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return; // antd shows each field's own message
    }
    const built = toNewCase(values);
    if (!built.ok) {
      setError(t(built.error));
      return;
    }
    setError(null);
    setSaving(true);
    try {
      const created = await addCase(built.input);
      void message.success(t('newCase.created'));
      setPasted(null);
      onCreated(created.id);
    } catch (e) {
      const { code, details } = describeError(e, locale);
      setError(
        code === 'duplicate_refund_no'
          ? // The sentence already says what happened; the core's text adds the number.
            t('newCase.duplicateRefundNo', { message: details ?? '' })
          : code === 'busy'
            ? t('newCase.busy')
            : t('newCase.failed', { message: errorText(e) }),
      );
    } finally {
      setSaving(false);
    }
  };

  const textField = (name: keyof NewCaseFormValues, label: MessageKey, testId: string) => (
    <Form.Item name={name} label={t(label)}>
      <Input data-testid={testId} aria-label={t(label)} allowClear />
    </Form.Item>
  );

  return (
    <Modal
      open={open}
      title={t('newCase.title')}
      onCancel={close}
      keyboard
      maskClosable={false}
      destroyOnHidden
      width={640}
      afterOpenChange={(visible) => {
        if (visible) orderRef.current?.focus();
      }}
      modalRender={(node) => <div data-testid="new-case-dialog">{node}</div>}
      footer={
        <Space>
          <Button onClick={close} disabled={saving} data-testid="new-case-cancel">
            {t('newCase.cancel')}
          </Button>
          <Button type="primary" loading={saving} onClick={() => void submit()} data-testid="new-case-submit">
            {t('newCase.submit')}
          </Button>
        </Space>
      }
    >
      <Form<NewCaseFormValues>
        form={form}
        layout="horizontal"
        labelCol={{ span: 6 }}
        wrapperCol={{ span: 18 }}
        initialValues={{ platform: 'taobao' }}
        preserve={false}
        size="middle"
        onValuesChange={() => setError(null)}
        style={{ marginTop: 16 }}
      >
        {error && (
          <Alert
            type="error"
            showIcon
            message={error}
            data-testid="new-case-error"
            style={{ marginBottom: 16 }}
          />
        )}
        <Form.Item name="platform" label={t('newCase.field.platform')}>
          <Radio.Group
            optionType="button"
            data-testid="new-case-platform"
            options={PLATFORMS.map((value) => ({ value, label: t(`newCase.platform.${value}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="order_no"
          label={t('newCase.field.orderNo')}
          extra={
            pasted ? (
              <Typography.Text type="success" data-testid="order-paste-hint">
                {t('newCase.orderNo.extracted', { orderNo: pasted })}
              </Typography.Text>
            ) : (
              t('newCase.orderNo.help')
            )
          }
        >
          <Input
            ref={orderRef}
            data-testid="new-case-order-no"
            aria-label={t('newCase.field.orderNo')}
            placeholder={t('newCase.orderNo.placeholder')}
            allowClear
            onPaste={onOrderPaste}
            onChange={() => setPasted(null)}
          />
        </Form.Item>
        {textField('refund_no', 'newCase.field.refundNo', 'new-case-refund-no')}
        {textField('buyer_nick', 'newCase.field.buyer', 'new-case-buyer')}
        {textField('item_title', 'newCase.field.item', 'new-case-item')}
        <Form.Item name="reason_text" label={t('newCase.field.reason')}>
          <Input.TextArea
            data-testid="new-case-reason"
            aria-label={t('newCase.field.reason')}
            autoSize={{ minRows: 1, maxRows: 4 }}
          />
        </Form.Item>
        <Form.Item
          name="refund_yuan"
          label={t('newCase.field.refund')}
          rules={[
            {
              validator: async (_rule, value: string | undefined) => {
                const result = yuanToFen(value ?? '');
                if (!result.ok) throw new Error(t(YUAN_ERRORS[result.error]));
              },
            },
          ]}
        >
          <Input
            data-testid="new-case-refund"
            aria-label={t('newCase.field.refund')}
            placeholder={t('newCase.refund.placeholder')}
            inputMode="decimal"
            prefix="¥"
            style={{ width: 200 }}
          />
        </Form.Item>
        <Form.Item name="kind" label={t('newCase.field.kind')}>
          <Select<string>
            data-testid="new-case-kind"
            aria-label={t('newCase.field.kind')}
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t('newCase.kind.auto')}
            options={KINDS.map((value) => ({ value, label: kindLabel(t, value) }))}
          />
        </Form.Item>
        <Form.Item name="flag" label={t('newCase.field.flag')}>
          <Select<string>
            data-testid="new-case-flag"
            aria-label={t('newCase.field.flag')}
            allowClear
            placeholder={t('newCase.flag.none')}
            style={{ width: 200 }}
            options={Object.keys(FLAGS).map((value) => ({
              value,
              label: (
                <Space size={6}>
                  <FlagMark flag={value} />
                  {t(`flag.${value}` as MessageKey)}
                </Space>
              ),
            }))}
          />
        </Form.Item>
        <Form.Item name="assignee" label={t('newCase.field.assignee')} style={{ marginBottom: 0 }}>
          <Input
            data-testid="new-case-assignee"
            aria-label={t('newCase.field.assignee')}
            placeholder={t('newCase.assignee.placeholder')}
            allowClear
            onKeyDown={(event) => {
              // Enter that ends an input-method composition only picks the characters.
              if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
                event.preventDefault();
                void submit();
              }
            }}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
