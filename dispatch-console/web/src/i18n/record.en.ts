/** The record pages' texts (keys start with 'record.'). */
export const recordEn = {
  'record.title': 'Record',
};
