/** The admin pages' texts (keys start with 'admin.'). */
export const adminEn = {
  'admin.title': 'Admin',
};
