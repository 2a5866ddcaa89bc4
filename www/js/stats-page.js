// The statistics page: GET /api/stats drawn with Chart.js (window.Chart, served from
// this site's vendor/ folder) and the confusion matrix as a heat-map table.
import { percent } from './result-view.js';

const Chart = window.Chart;
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

async function main() {
  let stats;
  try {
    const response = await fetch('api/stats');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    stats = await response.json();
  } catch (error) {
    const box = document.getElementById('problem');
    box.hidden = false;
    box.textContent = `The statistics cannot be loaded right now (${error.message}). Check the connection and reload.`;
    return;
  }
  if (Chart) {
    Chart.defaults.color = css('--muted');
    Chart.defaults.borderColor = css('--line');
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  }
  totals(stats.total);
  confusion(stats.confusion);
  if (!Chart) return;  // the charts' library failed to load; the numbers above still stand
  days(stats.per_day);
  digits(stats.per_digit);
  confidence(stats.confidence);
}

function totals(total) {
  document.getElementById('total-predictions').textContent = total.predictions.toLocaleString();
  document.getElementById('total-labelled').textContent = total.labelled.toLocaleString();
  document.getElementById('total-accuracy').textContent = total.accuracy === null ? '—' : percent(total.accuracy);
}

const asPercent = (value) => (value === null ? null : value * 100);
const percentAxis = { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } };

function days(perDay) {
  new Chart(document.getElementById('chart-days'), {
    data: {
      labels: perDay.map((d) => d.day),
      datasets: [
        { type: 'line', label: 'Accuracy', data: perDay.map((d) => asPercent(d.accuracy)), yAxisID: 'accuracy',
          borderColor: css('--accent'), backgroundColor: css('--accent'), spanGaps: true },
        { type: 'bar', label: 'Drawings', data: perDay.map((d) => d.predictions), yAxisID: 'count',
          backgroundColor: css('--bar') },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { accuracy: { ...percentAxis, position: 'left' }, count: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } },
    },
  });
}

function digits(perDigit) {
  new Chart(document.getElementById('chart-digits'), {
    type: 'bar',
    data: {
      labels: perDigit.map((d) => String(d.digit)),
      datasets: [{ label: 'Accuracy', data: perDigit.map((d) => asPercent(d.accuracy)), backgroundColor: css('--accent') }],
    },
    options: {
      maintainAspectRatio: false, animation: false, scales: { y: percentAxis },
      plugins: { tooltip: { callbacks: { afterLabel: (item) => `${perDigit[item.dataIndex].labelled} answers` } } },
    },
  });
}

function confidence(buckets) {
  new Chart(document.getElementById('chart-confidence'), {
    data: {
      labels: buckets.map((b) => `${Math.round(b.from * 100)}–${Math.round(b.to * 100)}%`),
      datasets: [
        { type: 'bar', label: 'Drawings', data: buckets.map((b) => b.predictions), yAxisID: 'count', backgroundColor: css('--bar') },
        { type: 'line', label: 'Accuracy', data: buckets.map((b) => asPercent(b.accuracy)), yAxisID: 'accuracy',
          borderColor: css('--accent'), backgroundColor: css('--accent'), spanGaps: true },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { count: { position: 'left', beginAtZero: true }, accuracy: { ...percentAxis, position: 'right', grid: { drawOnChartArea: false } } },
    },
  });
}

function confusion(matrix) {
  const table = document.getElementById('confusion');
  const largest = Math.max(1, ...matrix.flat());
  const head = document.createElement('tr');
  head.append(document.createElement('th'));
  for (let p = 0; p < 10; p++) head.append(cell('th', String(p), { scope: 'col' }));
  const rows = [head];
  matrix.forEach((row, truth) => {
    const tr = document.createElement('tr');
    tr.append(cell('th', String(truth), { scope: 'row' }));
    row.forEach((count, predicted) => {
      const td = cell('td', count ? String(count) : '', { 'aria-label': `drawn ${truth}, read ${predicted}: ${count}` });
      const strength = count / largest;
      td.style.background = `rgba(${truth === predicted ? '31, 95, 191' : '179, 38, 30'}, ${(0.08 + 0.92 * strength).toFixed(3)})`;
      if (strength > 0.5) td.classList.add('hot');
      tr.append(td);
    });
    rows.push(tr);
  });
  table.replaceChildren(...rows);
}

function cell(tag, text, attributes) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

main();
