/** Device supervision on the board's alarm detail (device.offline, centre.outage, battery.low). */
export const supervisionEn = {
  'supervision.silentSince': 'Silent since',
  'supervision.outageDevices': '{silent} of {supervised} supervised devices silent',
  'supervision.battery': 'Battery',
} as const;
