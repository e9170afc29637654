import { describe, expect, it } from 'vitest';

import { formatChinaTime, formatFen } from './format';

describe('formatFen', () => {
  it('shows fen as yuan with two decimals', () => {
    expect(formatFen(1250)).toBe('¥12.50');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(-320)).toBe('-¥3.20');
    expect(formatFen(123456789)).toBe('¥1,234,567.89');
    expect(formatFen(null)).toBe('');
  });
});

describe('formatChinaTime', () => {
  it('shows any instant in China time', () => {
    expect(formatChinaTime('2026-11-22T18:00:00+08:00')).toBe('2026-11-22 18:00');
    expect(formatChinaTime('2026-11-22T23:30:00Z', true)).toBe('2026-11-23 07:30:00');
    expect(formatChinaTime(null)).toBe('');
  });
});
