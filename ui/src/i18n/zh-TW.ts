import type { Messages } from './zh-CN';

/** Traditional Chinese strings (Taiwan usage); typed against the zh-CN source. */
export const zhTW: Messages = {
  'app.name': '售後台',
  'app.fullName': '售後台 AfterDesk',
  'app.version': '版本 {version}',

  'header.language': '介面語言',

  'menu.label': '主導覽',
  'menu.workbench': '工作台',
  'menu.cases': '售後單',
  'menu.import': '匯入',
  'menu.settings': '設定',

  'common.comingSoon': '即將推出',

  'firstRun.title': '歡迎使用售後台',
  'firstRun.subtitle': '這裡還沒有任何售後單。你可以用以下兩種方式開始：',
  'firstRun.import.title': '匯入後台匯出檔案',
  'firstRun.import.description':
    '在淘寶、天貓賣家後台匯出售後單，再把匯出檔案匯入這裡，所有售後單集中在一個工作台處理。',
  'firstRun.import.action': '選擇匯出檔案',
  'firstRun.demo.title': '開啟示範商店',
  'firstRun.demo.description':
    '用一家虛構商店的範例售後單先熟悉工作流程，隨時可以關閉，不會影響你的真實資料。',
  'firstRun.demo.action': '開啟示範商店',

  'placeholder.cases': '售後單列表將在這裡顯示。',
  'placeholder.import': '匯入精靈將在這裡顯示。',
  'placeholder.settings': '設定項目將在這裡顯示。',
};
