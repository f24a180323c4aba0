/** A hand-written SVG line chart: synth time (s) against N, one line per series, log-scaled x. */

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: Array<{ x: number; y: number }>;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: Series[];
  /** Text under each x tick's value (e.g. the ratio at that N). */
  readonly xNotes?: Record<number, string>;
}

const W = 720;
const H = 440;
const M = { left: 70, right: 190, top: 50, bottom: 80 };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceStep(max: number): number {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
}

export function renderChart(options: ChartOptions): string {
  const xs = [...new Set(options.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const yMaxData = Math.max(...options.series.flatMap((s) => s.points.map((p) => p.y)));
  const step = niceStep(yMaxData);
  const yMax = Math.ceil((yMaxData * 1.05) / step) * step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const lx = (x: number) => Math.log10(x);
  const [x0, x1] = [lx(xs[0]), lx(xs[xs.length - 1])];
  const px = (x: number) => M.left + (x1 === x0 ? plotW / 2 : ((lx(x) - x0) / (x1 - x0)) * plotW);
  const py = (y: number) => M.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${M.left + plotW / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${esc(options.title)}</text>`);
  // grid and y axis
  for (let y = 0; y <= yMax + 1e-9; y += step) {
    parts.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${M.left - 8}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${Number(y.toFixed(2))}</text>`);
  }
  // x ticks
  for (const x of xs) {
    parts.push(`<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${px(x).toFixed(1)}" y="${M.top + plotH + 18}" text-anchor="middle">${x}</text>`);
    const note = options.xNotes?.[x];
    if (note) parts.push(`<text x="${px(x).toFixed(1)}" y="${M.top + plotH + 34}" text-anchor="middle" fill="#555" font-size="11">${esc(note)}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  parts.push(`<text x="${M.left + plotW / 2}" y="${H - 16}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(20 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  // series
  options.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`);
      parts.push(`<text x="${(px(p.x) + 7).toFixed(1)}" y="${(py(p.y) - 7).toFixed(1)}" fill="${s.color}" font-size="11">${p.y.toFixed(1)}</text>`);
    }
    const ly = M.top + 10 + i * 24;
    const lx0 = M.left + plotW + 20;
    parts.push(`<line x1="${lx0}" x2="${lx0 + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"/>`);
    parts.push(`<circle cx="${lx0 + 12}" cy="${ly}" r="4" fill="${s.color}"/>`);
    parts.push(`<text x="${lx0 + 32}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
