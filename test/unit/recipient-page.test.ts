import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PAGE_CSP, pageHeaders, renderPage } from '#shared/messages/page';

const hashOf = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
const inline = (html: string, tag: 'script' | 'style') => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)![1]!;

describe('recipient page', () => {
  it('allows exactly its own inline script and style by hash, and nothing else', () => {
    const { html } = renderPage({ state: 'active', brand: 'Acme', to: '+4474******56', expiresAt: '2026-11-23T10:00:00.000Z', burnAfterRead: true });
    expect(PAGE_CSP).toContain(`script-src ${hashOf(inline(html, 'script'))}`);
    expect(PAGE_CSP).toContain(`style-src ${hashOf(inline(html, 'style'))}`);
    expect(PAGE_CSP).toMatch(/default-src 'none'/);
    expect(PAGE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(html).not.toMatch(/<(img|link|iframe)\b|src=|href=/);
  });

  it('never caches, never refers, never gets indexed', () => {
    expect(pageHeaders()).toMatchObject({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      'Content-Type': 'text/html; charset=utf-8',
    });
  });

  it('escapes the brand and shows the message only through textContent', () => {
    const { html } = renderPage({ state: 'active', brand: '<img src=x onerror=alert(1)>', to: '+4474******56' });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(inline(html, 'script')).toContain("$('message').textContent = data.body");
    expect(inline(html, 'script')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('answers 404 for an unknown link and 410 with a clear page for each ended state', () => {
    expect(renderPage({ state: 'unknown' }).status).toBe(404);
    for (const state of ['expired', 'revoked', 'already_read', 'max_attempts_reached'] as const) {
      const page = renderPage({ state, brand: 'Acme' });
      expect(page.status).toBe(410);
      expect(page.html).toContain(`data-state="${state}"`);
      expect(page.html).not.toContain('<script>');
    }
  });
});
