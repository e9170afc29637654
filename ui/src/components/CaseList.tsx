import { SearchOutlined } from '@ant-design/icons';
import { Alert, Input, Select, Space, Table, Tag, Typography, type InputRef } from 'antd';
import type { ColumnsType, TablePaginationConfig } from 'antd/es/table';
import { useCallback, useEffect, useRef, useState, type HTMLAttributes } from 'react';

import { listCases, type CaseListView, type CaseQuery, type CaseView } from '../api';
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
}

/**
 * The 售后单 list: filters (kind, open/closed, flag, assignee), full-text search focused by
 * Ctrl+K, sorting by refund-request time and paging through `list_cases`.
 */
export function CaseList({ onOpen }: CaseListProps) {
  const { t } = useI18n();
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
      setList(await listCases(query));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  }, [status, kind, flag, assignee, text, sortDesc, page]);

  useEffect(() => {
    void load();
  }, [load]);

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
      </Space>
      {error && <Alert type="error" showIcon message={t('common.error', { message: error })} />}
      <Table<CaseView>
        data-testid="case-table"
        rowKey="id"
        size="small"
        virtual
        scroll={{ x: 1200, y: Math.max(240, windowHeight - CHROME_HEIGHT) }}
        loading={loading}
        columns={columns}
        dataSource={list?.cases ?? []}
        locale={{ emptyText: t('cases.empty') }}
        onChange={onTableChange}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: list ? Number(list.total) : 0,
          showSizeChanger: false,
          hideOnSinglePage: true,
        }}
        onRow={(row) => ({
          onClick: () => onOpen(row.id),
          style: { cursor: 'pointer' },
          'data-testid': 'case-row',
        }) as HTMLAttributes<HTMLElement>}
      />
    </div>
  );
}
