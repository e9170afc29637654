import { Empty } from 'antd';

/** A page that is not built yet; it says what will appear there instead of showing nothing. */
export function Placeholder({ text }: { readonly text: string }) {
  return (
    <div style={{ padding: '96px 24px' }}>
      <Empty description={text} />
    </div>
  );
}
