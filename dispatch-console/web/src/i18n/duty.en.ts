/** The duty pages' texts (keys start with 'duty.'). */
export const dutyEn = {
  'duty.title': 'Duty',
};
