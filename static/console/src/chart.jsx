// Bar charts drawn as SVG in the page (no chart library, nothing fetched): one
// bar per day, stacked by outcome, with the same figures as a table beside it
// for screen readers and for reading exact values.
import { count, formatDay } from './ui.jsx';

const WIDTH = 640;
const HEIGHT = 160;
const AXIS_GAP = 2;

/** `series`: [{ key, label, className }] stacked in order; `days`: rows with those keys. */
export function DayChart({ id, title, days, series }) {
  const totals = days.map((d) => series.reduce((sum, s) => sum + (d[s.key] || 0), 0));
  const max = Math.max(1, ...totals);
  const slot = WIDTH / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.7);
  const sum = totals.reduce((a, b) => a + b, 0);
  const summary = `${title}: ${count(sum)} in the last ${days.length} days, at most ${count(max)} on one day.`;
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS_GAP}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} class="axis" />
        {days.map((d, i) => {
          let y = HEIGHT;
          return series.map((s) => {
            const value = d[s.key] || 0;
            if (!value) return null;
            const h = (value / max) * (HEIGHT - 8);
            y -= h;
            return (
              <rect key={`${d.day}-${s.key}`} x={i * slot + (slot - bar) / 2} y={y} width={bar} height={h} class={s.className}>
                <title>{`${formatDay(d.day)}: ${count(value)} ${s.label}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      {days.length > 0 && (
        // Outside the drawing, which stretches to the width: text inside would too.
        <p class="ticks" aria-hidden="true"><span>{formatDay(days[0].day)}</span><span>{formatDay(days[days.length - 1].day)}</span></p>
      )}
      <ul class="legend">
        {series.map((s) => <li key={s.key}><span class={`swatch ${s.className}`} aria-hidden="true" />{s.label}</li>)}
      </ul>
      <details>
        <summary>{title} as a table</summary>
        <table>
          <thead><tr><th scope="col">Day</th>{series.map((s) => <th scope="col" key={s.key}>{s.label}</th>)}</tr></thead>
          <tbody>
            {days.filter((_, i) => totals[i] > 0).map((d) => (
              <tr key={d.day}><th scope="row">{formatDay(d.day)}</th>{series.map((s) => <td key={s.key}>{count(d[s.key])}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
