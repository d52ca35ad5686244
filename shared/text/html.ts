/** Text made safe inside HTML (element content and quoted attributes): the recipient page and every e-mail's HTML part. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
