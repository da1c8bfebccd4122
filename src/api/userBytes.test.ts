import { describe, expect, it } from 'vitest';
import { attachment, userContentType } from './userBytes.ts';

describe('userContentType', () => {
  it('keeps the four contribution text types, as UTF-8', () => {
    expect(userContentType('text/plain')).toBe('text/plain; charset=utf-8');
    expect(userContentType('text/markdown')).toBe('text/markdown; charset=utf-8');
    expect(userContentType('text/csv')).toBe('text/csv; charset=utf-8');
    expect(userContentType('application/jsonl')).toBe('application/jsonl; charset=utf-8');
  });

  it('answers octet-stream for anything else, HTML and lookalikes included', () => {
    for (const t of ['text/html', 'TEXT/PLAIN', 'text/plain; charset=utf-7', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', ''])
      expect(userContentType(t), t).toBe('application/octet-stream');
  });
});

describe('attachment', () => {
  it('names a plain file as it is, in both forms', () => {
    expect(attachment('notes-1.txt')).toBe(`attachment; filename="notes-1.txt"; filename*=UTF-8''notes-1.txt`);
  });

  it('cannot be broken out of: quotes, semicolons, backslashes and line breaks never reach the header raw', () => {
    const h = attachment('a"; filename="evil.html\r\nSet-Cookie: x=1;\\.txt');
    expect(h).toBe(`attachment; filename="a__ filename__evil.html__Set-Cookie_ x_1__.txt"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.html%0D%0ASet-Cookie%3A%20x%3D1%3B%5C.txt`);
    expect(h).not.toMatch(/[\r\n\\]/);
    expect(h.match(/"/g)).toHaveLength(2);
  });

  it('carries a non-ASCII name exactly, percent-encoded as UTF-8, with an ASCII fallback', () => {
    expect(attachment('rivière (draft).md')).toBe(`attachment; filename="rivi_re (draft).md"; filename*=UTF-8''rivi%C3%A8re%20%28draft%29.md`);
    expect(decodeURIComponent(attachment('日本語.txt').split("UTF-8''")[1])).toBe('日本語.txt');
  });

  it('never gives an empty or overlong fallback name', () => {
    expect(attachment('')).toBe(`attachment; filename="download"; filename*=UTF-8''`);
    expect(attachment('x'.repeat(255)).match(/filename="(x*)"/)![1]).toHaveLength(200);
  });
});
