import type { setupEn } from './setup.en.ts';

export const setupZh: Record<keyof typeof setupEn, string> = {
  'nav.setup': '中心管理',
  'setup.tab.areas': '区域',
  'setup.tab.residents': '老人',
  'setup.tab.devices': '设备',
  'setup.tab.caregivers': '护理员',
  'setup.tab.duty': '值班',
  'setup.tab.users': '账号',
  'setup.tab.import': '批量导入',
  'setup.loading': '加载中…',
  'setup.save': '保存',
  'setup.cancel': '取消',
  'setup.delete': '删除',
  'setup.edit': '编辑',
  'setup.add': '新增',
  'setup.search': '搜索',
  'setup.none': '暂无数据。',
  'setup.saved': '已保存。',
};
