import { describe, expect, it } from 'vitest';

import { fenToYuan, parseLeads, yuanToFen } from './ShopSettingsCard';

describe('shop settings conversions', () => {
  it.each([
    [30, 3000],
    [45.5, 4550],
    [0.01, 1],
    [19.99, 1999],
    [0, 0],
  ])('%s yuan is %s fen and back', (yuan, fen) => {
    expect(yuanToFen(yuan), 'yuan become integer fen').toBe(fen);
    expect(fenToYuan(fen), 'fen show as yuan').toBe(yuan);
  });

  it('keeps unlimited as empty both ways', () => {
    expect(yuanToFen(null), 'an empty box is unlimited').toBeNull();
    expect(fenToYuan(null), 'unlimited shows an empty box').toBeNull();
  });

  it.each([
    ['120, 30', [120, 30]],
    ['60，15、5', [60, 15, 5]],
    ['  90  ', [90]],
    ['', []],
    ['abc, 10', [10]],
  ])('reads the lead times %j', (text, minutes) => {
    expect(parseLeads(text), 'minutes in the order typed').toEqual(minutes);
  });
});
