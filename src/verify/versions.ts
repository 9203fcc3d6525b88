// Dotted version numbers (glibc, macOS, Windows NT, kernels) in numeric order.

/** Numeric, component-wise: 2.9 < 2.17 < 2.34, and 2.2.5 > 2.2. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
