import type { Messages } from './zh-CN';

/** English strings; typed against the zh-CN source. */
export const en: Messages = {
  'app.name': 'AfterDesk',
  'app.fullName': 'AfterDesk',
  'app.version': 'Version {version}',

  'header.language': 'Language',

  'menu.label': 'Main navigation',
  'menu.workbench': 'Workbench',
  'menu.cases': 'Cases',
  'menu.import': 'Import',
  'menu.settings': 'Settings',

  'common.comingSoon': 'Coming soon',

  'firstRun.title': 'Welcome to AfterDesk',
  'firstRun.subtitle': 'There are no after-sales cases yet. Choose one of two ways to start:',
  'firstRun.import.title': 'Import a back-office export',
  'firstRun.import.description':
    'Export your after-sales cases from the Taobao or Tmall seller back office, then import the file here to handle every case in one workbench.',
  'firstRun.import.action': 'Choose export file',
  'firstRun.demo.title': 'Open the demo shop',
  'firstRun.demo.description':
    'Learn the workflow on sample cases from a made-up shop. Close it any time; your real data is never touched.',
  'firstRun.demo.action': 'Open demo shop',

  'placeholder.cases': 'The case list will appear here.',
  'placeholder.import': 'The import wizard will appear here.',
  'placeholder.settings': 'Settings will appear here.',
};
