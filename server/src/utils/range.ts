/**
 * One `Range: bytes=…` header against a file of `size` bytes: the inclusive byte span to send,
 * 'unsatisfiable' (answered 416), or null to send the whole file (no header, several ranges, or
 * a form we do not serve). RFC 9110 §14.
 */
export const parseRange = (header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null => {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // The last N bytes.
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
};
