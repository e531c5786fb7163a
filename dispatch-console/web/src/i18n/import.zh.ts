import type { importEn } from './import.en.ts';

export const importZh: Record<keyof typeof importEn, string> = {
  'import.title': '批量导入',
  'import.intro':
    '新机构入驻：选择 CSV 文件（第一行为列名）。“校验”检查每一行，不写入任何数据；“导入”要么全部写入，要么（只要有一行有误）全部不写入。再次导入相同文件不会改变任何数据。',
  'import.file.residents': '老人',
  'import.file.devices': '设备',
  'import.file.caregivers': '护理员',
  'import.columns.residents':
    'ref（机构自己的老人编号）、name、grid（区/街道/社区/网格；缺少的区域会自动创建）、address、phone、notes、access（钥匙盒、门禁码）、contact1_name、contact1_phone、contact1_relation、contact2_…',
  'import.columns.devices': 'id（留空则自动生成）、kind、resident_ref（手环留空）',
  'import.columns.caregivers': 'ref（或以 phone 作为匹配键）、name、phone、role（caregiver 或 supervisor）、grids（多个路径用 ; 分隔）',
  'import.validate': '校验',
  'import.run': '导入',
  'import.busy': '处理中…',
  'import.refused': '发现 {n} 个问题：未导入任何数据。请修改以下各行后重试。',
  'import.col.file': '文件',
  'import.col.line': '行',
  'import.col.field': '列',
  'import.col.reason': '问题',
  'import.checked': '文件无误。导入将进行以下操作：',
  'import.done': '导入完成。',
  'import.count.created': '新建',
  'import.count.updated': '更新',
  'import.count.unchanged': '未变',
  'import.areasCreated': '新建区域（{n} 个）：',
  'import.secrets.warning': '新设备的密钥只显示这一次：请立即下载文件并妥善保管。系统只保存其哈希值；丢失的密钥须在“设备”页面重新生成。',
  'import.secrets.download': '下载设备密钥（CSV）',
};
