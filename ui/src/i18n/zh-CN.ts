/**
 * Simplified Chinese strings: the source locale.
 *
 * This object defines which keys exist. The other locales are typed against it, so a key
 * added here and forgotten elsewhere fails `npm run typecheck`. Placeholders are written
 * as `{name}` and must appear unchanged in every translation.
 */
export const zhCN = {
  'app.name': '售后台',
  'app.fullName': '售后台 AfterDesk',
  'app.version': '版本 {version}',

  'header.language': '界面语言',

  'menu.label': '主导航',
  'menu.workbench': '工作台',
  'menu.cases': '售后单',
  'menu.import': '导入',
  'menu.settings': '设置',

  'common.comingSoon': '即将推出',

  'firstRun.title': '欢迎使用售后台',
  'firstRun.subtitle': '这里还没有任何售后单。你可以用以下两种方式开始：',
  'firstRun.import.title': '导入后台导出文件',
  'firstRun.import.description':
    '在淘宝、天猫卖家后台导出售后单，再把导出文件导入这里，所有售后单集中在一个工作台处理。',
  'firstRun.import.action': '选择导出文件',
  'firstRun.demo.title': '打开演示店铺',
  'firstRun.demo.description':
    '用一家虚构店铺的示例售后单先熟悉工作流程，随时可以关闭，不会影响你的真实数据。',
  'firstRun.demo.action': '打开演示店铺',

  'placeholder.cases': '售后单列表将在这里显示。',
  'placeholder.import': '导入向导将在这里显示。',
  'placeholder.settings': '设置项将在这里显示。',
} as const;

/** Every message key; derived from the Simplified Chinese source locale. */
export type MessageKey = keyof typeof zhCN;

/** A complete translation: every key of the source locale, each mapped to a string. */
export type Messages = { readonly [K in MessageKey]: string };
