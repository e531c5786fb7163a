import type { supervisionEn } from './supervision.en.ts';

export const supervisionZh: Record<keyof typeof supervisionEn, string> = {
  'supervision.silentSince': '最后收到信号',
  'supervision.outageDevices': '{supervised} 个受监测设备中 {silent} 个无信号',
  'supervision.battery': '电量',
};
