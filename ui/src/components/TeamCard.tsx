import { DeleteOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, App as AntdApp, Button, Card, Input, List, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';

import { addMember, bindThisComputer, changeMember, removeMember, ROLES, type MemberView, type Role } from '../api';
import { useI18n, type MessageKey } from '../i18n';

/** The label key of each role. */
export const ROLE_LABELS: Record<Role, MessageKey> = {
  agent: 'team.role.agent',
  warehouse: 'team.role.warehouse',
  finance: 'team.role.finance',
  owner: 'team.role.owner',
};

/**
 * Whether this computer may change the members and the shop's settings: its member is a
 * 店长, or the shop has no 店长 yet (a new or just upgraded shop), as the backend checks.
 */
export function canManageTeam(members: readonly MemberView[], me: MemberView | null): boolean {
  return me?.role === 'owner' || !members.some((m) => m.role === 'owner');
}

/** Props of {@link TeamCard}. */
export interface TeamCardProps {
  /** The shop's members. */
  readonly members: readonly MemberView[];
  /** This computer's member, if any. */
  readonly me: MemberView | null;
  /** Called after any change, to read the team again. */
  readonly onChanged: () => void;
}

/**
 * The 成员 card: who works on the shop and in which role, and which of them works on this
 * computer (the name written into notes and the history). Only a 店长 changes the list,
 * or anyone while the shop has no 店长 yet.
 */
export function TeamCard({ members, me, onChanged }: TeamCardProps) {
  const { t } = useI18n();
  const { message } = AntdApp.useApp();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(members.length === 0 ? 'owner' : 'agent');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editable = canManageTeam(members, me);
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(ROLE_LABELS[r]) }));

  const run = async (action: () => Promise<unknown>, done?: MessageKey) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (done) void message.success(t(done));
      onChanged();
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    if (!name.trim()) return;
    if (await run(() => addMember({ name, role }), 'team.added')) setName('');
  };

  return (
    <Card title={t('team.title')} data-testid="team-settings">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Typography.Text>{t('team.thisComputer')}</Typography.Text>
          <Select
            data-testid="team-me"
            style={{ minWidth: 200 }}
            placeholder={t('team.nobody')}
            value={me?.id ?? null}
            allowClear
            disabled={busy || members.length === 0}
            options={members.map((m) => ({ value: m.id, label: `${m.name}（${t(ROLE_LABELS[m.role as Role])}）` }))}
            onChange={(id: string | undefined) => void run(() => bindThisComputer(id ?? null), 'team.bound')}
          />
        </Space>
        <Typography.Text type="secondary">{t('team.thisComputer.help')}</Typography.Text>
        {!editable && <Alert type="info" showIcon message={t('team.ownerOnly')} data-testid="team-owner-only" />}
        {error && <Alert type="error" showIcon message={error} data-testid="team-error" />}
        <List
          size="small"
          bordered
          locale={{ emptyText: t('team.empty') }}
          dataSource={[...members]}
          renderItem={(m) => (
            <List.Item
              key={m.id}
              data-testid="team-member"
              actions={
                editable
                  ? [
                      <Select
                        key="role"
                        size="small"
                        aria-label={t('team.role')}
                        data-testid="team-role"
                        style={{ width: 100 }}
                        value={m.role}
                        disabled={busy}
                        options={roleOptions}
                        onChange={(next: string) => void run(() => changeMember(m.id, { role: next }), 'common.saved')}
                      />,
                      <Popconfirm
                        key="remove"
                        title={t('team.remove.confirm', { name: m.name })}
                        okText={t('team.remove')}
                        cancelText={t('common.cancel')}
                        onConfirm={() => void run(() => removeMember(m.id), 'team.removed')}
                      >
                        <Button size="small" danger icon={<DeleteOutlined />} data-testid="team-remove" disabled={busy}>
                          {t('team.remove')}
                        </Button>
                      </Popconfirm>,
                    ]
                  : [<Tag key="role">{t(ROLE_LABELS[m.role as Role])}</Tag>]
              }
            >
              <Space>
                <Typography.Text
                  data-testid="team-name"
                  editable={
                    editable
                      ? {
                          triggerType: ['icon'],
                          tooltip: t('team.rename'),
                          onChange: (next) => {
                            if (next.trim() && next.trim() !== m.name) void run(() => changeMember(m.id, { name: next }), 'common.saved');
                          },
                        }
                      : false
                  }
                >
                  {m.name}
                </Typography.Text>
                {me?.id === m.id && <Tag color="blue">{t('team.me')}</Tag>}
              </Space>
            </List.Item>
          )}
        />
        {editable && (
          <Space.Compact style={{ width: '100%' }}>
            <Input
              data-testid="team-new-name"
              placeholder={t('team.name.placeholder')}
              value={name}
              maxLength={20}
              onChange={(e) => setName(e.target.value)}
              onPressEnter={() => void add()}
            />
            <Select
              data-testid="team-new-role"
              aria-label={t('team.role')}
              style={{ width: 120 }}
              value={role}
              options={roleOptions}
              onChange={(r: Role) => setRole(r)}
            />
            <Button type="primary" icon={<UserAddOutlined />} data-testid="team-add" disabled={busy || !name.trim()} onClick={() => void add()}>
              {t('team.add')}
            </Button>
          </Space.Compact>
        )}
      </Space>
    </Card>
  );
}
