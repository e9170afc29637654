import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Input,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  theme as antdTheme,
  type InputRef,
} from 'antd';
import type { ColumnsType, TablePaginationConfig } from 'antd/es/table';
import { useCallback, useEffect, useRef, useState, type HTMLAttributes, type MouseEvent } from 'react';

import {
  changeCases,
  listCases,
  type CaseChange,
  type CaseListView,
  type CaseQuery,
  type CaseView,
} from '../api';
import { formatChinaTime, formatFen } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { FlagMark } from './FlagMark';
import { FLAGS, KINDS, kindLabel, statusLabel } from './labels';

/**
 * How many cases one page of the list holds.
 *
 * A hundred rows is a few screens of a virtual table: scrolling stays instant, and the
 * pager is rarely needed for a day's work.
 */
export const PAGE_SIZE = 100;

/**
 * The height of the page around the table (header, filters, pager), in pixels; a virtual
 * table needs its body's height as a number, so it is the window's height minus this.
 */
const CHROME_HEIGHT = 250;

/** The height of the bulk-action bar shown above the table while rows are selected. */
const BULK_BAR_HEIGHT = 48;

/** The window's inner height, following resizes. */
function useWindowHeight(): number {
  const [height, setHeight] = useState(() => window.innerHeight);
  useEffect(() => {
    const onResize = () => setHeight(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return height;
}

/** How long the search box waits after the last key before asking, in milliseconds. */
const SEARCH_DELAY_MS = 250;

type StatusFilter = 'open' | 'closed' | 'all';

/** Props of {@link CaseList}. */
export interface CaseListProps {
  /** Opens a case page. */
  readonly onOpen: (caseId: string) => void;
  /** Opens the 新建售后单 dialog; without it the toolbar has no 新建 button. */
  readonly onNewCase?: () => void;
}

/** The flag choice that clears the flag, as `change_cases` spells it. */
const NO_FLAG = 'none';

/**
 * The 售后单 list: filters (kind, open/closed, flag, assignee), full-text search focused by
 * Ctrl+K, sorting by refund-request time and paging through `list_cases`. Rows can be
 * selected to set a flag or an assignee on all of them at once (`change_cases`, all or
 * none).
 */
export function CaseList({ onOpen, onNewCase }: CaseListProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const { token } = antdTheme.useToken();
  const searchRef = useRef<InputRef>(null);
  const windowHeight = useWindowHeight();
  const [search, setSearch] = useState('');
  const [text, setText] = useState('');
  const [status, setStatus] = useState<StatusFilter>('open');
  const [kind, setKind] = useState<string | null>(null);
  const [flag, setFlag] = useState<string | null>(null);
  const [assignee, setAssignee] = useState('');
  const [sortDesc, setSortDesc] = useState(false);
  const [page, setPage] = useState(1);
  const [list, setList] = useState<CaseListView | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkAssignee, setBulkAssignee] = useState('');
  const [bulkBusy, setBulkBusy] = useState(false);
  // Remounts the bulk flag select after each use, so that it shows its prompt again.
  const [bulkFlagRound, setBulkFlagRound] = useState(0);

  // Ctrl+K (Cmd+K on macOS) jumps to the search box from anywhere on the page.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const timer = window.setTimeout(() => {
      setText(search.trim());
      setPage(1);
    }, SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [search]);

  const load = useCallback(async () => {
    const query: CaseQuery = {
      open: status === 'all' ? null : status === 'open',
      kind,
      flag,
      assignee: assignee.trim() || null,
      text: text || null,
      sort: sortDesc ? 'requested_desc' : 'requested',
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    };
    setLoading(true);
    try {
      const loaded = await listCases(query);
      setList(loaded);
      // A selection only ever holds cases on screen, so that a bulk action never touches
      // a case the agent cannot see (after a filter change, or once a change moved it out).
      const shown = new Set(loaded.cases.map((c) => c.id));
      setSelected((keys) => {
        const kept = keys.filter((key) => shown.has(key));
        return kept.length === keys.length ? keys : kept;
      });
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  }, [status, kind, flag, assignee, text, sortDesc, page]);

  useEffect(() => {
    void load();
  }, [load]);

  // While the list reloads, the selection may still hold cases the new filter hides.
  const bulkLocked = bulkBusy || loading;

  const bulkChange = async (change: CaseChange) => {
    if (selected.length === 0 || bulkLocked) return;
    setBulkBusy(true);
    try {
      const changed = await changeCases(selected, change);
      void message.success(t('cases.bulk.done', { count: changed.length }));
      if (change.assignee !== undefined) setBulkAssignee('');
    } catch (e) {
      void message.error(t('cases.bulk.failed', { message: errorText(e) }));
    } finally {
      setBulkBusy(false);
      setBulkFlagRound((n) => n + 1);
    }
    await load();
  };

  const columns: ColumnsType<CaseView> = [
    {
      title: t('cases.col.flag'),
      dataIndex: 'flag',
      width: 56,
      align: 'center',
      render: (value: string | null) => <FlagMark flag={value} />,
    },
    {
      title: t('cases.col.refundNo'),
      dataIndex: 'refund_no',
      width: 190,
      render: (value: string | null) => value ?? t('cases.manual'),
    },
    {
      title: t('cases.col.kind'),
      dataIndex: 'kind',
      width: 130,
      render: (value: string, row) => <Tag>{kindLabel(t, value, row.kind_name)}</Tag>,
    },
    {
      title: t('cases.col.status'),
      dataIndex: 'refund_status',
      width: 150,
      render: (value: string, row) => statusLabel(t, value, row.refund_status_text),
    },
    { title: t('cases.col.buyer'), dataIndex: 'buyer_nick', width: 140, ellipsis: true },
    { title: t('cases.col.item'), dataIndex: 'item_title', ellipsis: true },
    {
      title: t('cases.col.refund'),
      dataIndex: 'refund_fen',
      width: 110,
      align: 'right',
      render: (value: number | null) => formatFen(value),
    },
    {
      title: t('cases.col.requested'),
      dataIndex: 'requested_at',
      width: 150,
      sorter: true,
      sortOrder: sortDesc ? 'descend' : 'ascend',
      sortDirections: ['ascend', 'descend', 'ascend'],
      render: (value: string | null) => formatChinaTime(value),
    },
    { title: t('cases.col.assignee'), dataIndex: 'assignee', width: 90, ellipsis: true },
  ];

  const onTableChange = (
    pagination: TablePaginationConfig,
    _filters: unknown,
    sorter: unknown,
  ) => {
    const order = (sorter as { order?: string | null } | undefined)?.order;
    setSortDesc(order === 'descend');
    setPage(pagination.current ?? 1);
  };

  return (
    <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 12, height: '100%', boxSizing: 'border-box' }}>
      <Space wrap>
        <Input
          ref={searchRef}
          data-testid="case-search"
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('cases.search.placeholder')}
          aria-label={t('cases.search.placeholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 380 }}
        />
        <Select<StatusFilter>
          data-testid="filter-status"
          value={status}
          onChange={(value) => {
            setStatus(value);
            setPage(1);
          }}
          style={{ width: 110 }}
          options={(['open', 'closed', 'all'] as const).map((value) => ({
            value,
            label: t(`cases.status.${value}`),
          }))}
        />
        <Select<string>
          data-testid="filter-kind"
          allowClear
          placeholder={t('cases.filter.kind')}
          {...(kind !== null ? { value: kind } : {})}
          onChange={(value) => {
            setKind(value ?? null);
            setPage(1);
          }}
          style={{ width: 170 }}
          options={KINDS.map((value) => ({ value, label: kindLabel(t, value) }))}
        />
        <Select<string>
          data-testid="filter-flag"
          allowClear
          placeholder={t('cases.filter.flag')}
          {...(flag !== null ? { value: flag } : {})}
          onChange={(value) => {
            setFlag(value ?? null);
            setPage(1);
          }}
          style={{ width: 120 }}
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
        <Input
          data-testid="filter-assignee"
          allowClear
          placeholder={t('cases.filter.assignee')}
          value={assignee}
          onChange={(e) => {
            setAssignee(e.target.value);
            setPage(1);
          }}
          style={{ width: 120 }}
        />
        {list && (
          <Typography.Text type="secondary" data-testid="case-total">
            {t('cases.total', { total: list.total })}
          </Typography.Text>
        )}
        {onNewCase && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={onNewCase}
            title={t('newCase.shortcut')}
            data-testid="new-case-button"
          >
            {t('newCase.open')}
          </Button>
        )}
      </Space>
      {selected.length > 0 && (
        <Space
          wrap
          data-testid="bulk-bar"
          style={{ padding: '6px 12px', borderRadius: token.borderRadius, background: token.colorPrimaryBg }}
        >
          <Typography.Text strong data-testid="bulk-count">
            {t('cases.bulk.selected', { count: selected.length })}
          </Typography.Text>
          <Select<string>
            key={bulkFlagRound}
            data-testid="bulk-flag-select"
            aria-label={t('cases.bulk.flag')}
            placeholder={t('cases.bulk.flag')}
            disabled={bulkLocked}
            style={{ width: 140 }}
            onChange={(value) => void bulkChange({ flag: value })}
            options={[...Object.keys(FLAGS), NO_FLAG].map((value) => ({
              value,
              label: (
                <Space size={6}>
                  <FlagMark flag={value} />
                  {t(value === NO_FLAG ? 'cases.bulk.clearFlag' : (`flag.${value}` as MessageKey))}
                </Space>
              ),
            }))}
          />
          <Space.Compact>
            <Input
              data-testid="bulk-assignee"
              aria-label={t('cases.bulk.assignee')}
              placeholder={t('cases.bulk.assignee')}
              value={bulkAssignee}
              disabled={bulkLocked}
              onChange={(e) => setBulkAssignee(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.nativeEvent.isComposing && bulkAssignee.trim()) {
                  e.preventDefault();
                  void bulkChange({ assignee: bulkAssignee.trim() });
                }
              }}
              style={{ width: 150 }}
            />
            <Button
              data-testid="bulk-assign"
              disabled={bulkLocked || !bulkAssignee.trim()}
              onClick={() => void bulkChange({ assignee: bulkAssignee.trim() })}
            >
              {t('cases.bulk.assign')}
            </Button>
          </Space.Compact>
          <Button data-testid="bulk-unassign" disabled={bulkLocked} onClick={() => void bulkChange({ assignee: '' })}>
            {t('cases.bulk.unassign')}
          </Button>
          <Button type="link" data-testid="bulk-clear" onClick={() => setSelected([])}>
            {t('cases.bulk.clear')}
          </Button>
        </Space>
      )}
      {error && <Alert type="error" showIcon message={error} />}
      <Table<CaseView>
        data-testid="case-table"
        rowKey="id"
        size="small"
        virtual
        scroll={{ x: 1240, y: Math.max(240, windowHeight - CHROME_HEIGHT - (selected.length > 0 ? BULK_BAR_HEIGHT : 0)) }}
        loading={loading}
        columns={columns}
        dataSource={list?.cases ?? []}
        locale={{ emptyText: t('cases.empty') }}
        onChange={onTableChange}
        rowSelection={{
          selectedRowKeys: selected,
          columnWidth: 40,
          onChange: (keys) => setSelected(keys.map(String)),
        }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: list ? Number(list.total) : 0,
          showSizeChanger: false,
          hideOnSinglePage: true,
        }}
        onRow={(row) => ({
          onClick: (event: MouseEvent<HTMLElement>) => {
            // A click beside a row's checkbox selects nothing, but must not open the case.
            if ((event.target as HTMLElement).closest('.ant-table-selection-column')) return;
            onOpen(row.id);
          },
          style: { cursor: 'pointer' },
          'data-testid': 'case-row',
        }) as HTMLAttributes<HTMLElement>}
      />
    </div>
  );
}
