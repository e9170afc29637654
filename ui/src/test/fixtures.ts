// Sample view objects shaped like the Rust side's, for component tests.
import type { CaseDetailView, CaseView, ShopInfo } from '../api';

export function makeCase(overrides: Partial<CaseView> = {}): CaseView {
  return {
    id: '0193a1b2-0000-7000-8000-000000000001',
    platform: 'tmall',
    refund_no: '200000000000000001',
    order_no: '2938475610000000000',
    alipay_no: null,
    buyer_nick: '星河小铺1',
    item_title: '不锈钢真空保温杯 500ml 雾蓝',
    sku_code: 'SKU-00001',
    kind: 'quality_issue',
    kind_name: '质量问题',
    kind_source: 'derived',
    reason: 'quality',
    reason_text: '质量问题',
    buyer_note: '<b>杯盖漏水</b>',
    refund_status: 'awaiting_seller',
    refund_status_text: '买家已经申请退款，等待卖家同意',
    goods_status: 'received',
    goods_status_text: '买家已收到货',
    intervention: 'none',
    intervention_text: '无需客服介入',
    return_needed: true,
    full_refund: true,
    manual_refund: false,
    paid_fen: 8900,
    refund_fen: 1250,
    ship_logistics: '中通快递,75123',
    return_logistics: null,
    paid_at: '2026-11-18T02:00:00Z',
    shipped_at: null,
    signed_at: null,
    requested_at: '2026-11-20T01:30:00Z',
    return_shipped_at: null,
    return_received_at: null,
    intervened_at: null,
    completed_at: null,
    extra: {},
    flag: 'red',
    assignee: '小王',
    tags: [],
    open: true,
    origin: '导入 天猫退款导出.csv（小王）',
    created_at: '2026-11-20T10:00:00+08:00',
    updated_at: '2026-11-20T10:00:00+08:00',
    updated_by: 'dev-1',
    deleted_at: null,
    ...overrides,
  };
}

export function makeDetail(overrides: Partial<CaseDetailView> = {}): CaseDetailView {
  return {
    case: makeCase(),
    notes: [
      {
        id: 'n1',
        case_id: '0193a1b2-0000-7000-8000-000000000001',
        author: '小李',
        device: 'dev-1',
        at: '2026-11-21T09:00:00+08:00',
        text: '<script>alert(1)</script> 已联系买家',
      },
    ],
    events: [
      {
        id: 'e1',
        actor: '小王',
        device: 'dev-1',
        at: '2026-11-21T10:00:00+08:00',
        field: 'flag',
        field_kind: 'flag',
        extra_header: null,
        record: false,
        old: null,
        new: 'red',
      },
    ],
    order: null,
    ...overrides,
  };
}

export function makeShop(overrides: Partial<ShopInfo> = {}): ShopInfo {
  return {
    db_path: '/tmp/shop.sqlite',
    demo: false,
    recent: ['/tmp/shop.sqlite'],
    synced_folder: null,
    summary: {
      total: 50,
      open: 34,
      closed: 16,
      by_kind: [
        { kind: 'refund_unshipped', kind_name: '未发货仅退款', open: 6, total: 9 },
        { kind: 'quality_issue', kind_name: '质量问题', open: 3, total: 4 },
      ],
    },
    ...overrides,
  };
}
