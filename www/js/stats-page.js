// The statistics page: GET /api/stats as charts (Chart.js, served from this site's
// vendor/ folder as window.Chart), each with a table of the same figures, legends that
// are buttons, and the confusion matrix as a heat-map table. With no data, each chart
// says what will appear instead of drawing an empty grid.
import { percent } from './result-view.js';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const $ = (id) => document.getElementById(id);
const asPercent = (value) => (value === null ? null : value * 100);
const percentAxis = { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } };
const orNone = (value) => (value === null ? 'no answers yet' : percent(value));
// Each chart is drawn in a task of its own, so that the page stays responsive.
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function main() {
  let stats;
  try {
    const response = await fetch('api/stats');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    stats = await response.json();
  } catch (error) {
    const box = $('problem');
    box.hidden = false;
    box.textContent = `The statistics cannot be loaded right now (${error.message}). Check the connection and reload.`;
    document.body.dataset.loaded = 'yes';
    return;
  }
  totals(stats.total, stats.model);
  confusion(stats.confusion);
  const Chart = window.Chart;
  if (Chart) {
    Chart.defaults.color = css('--muted');
    Chart.defaults.borderColor = css('--line');
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  }
  const labelledDigits = stats.per_digit.some((d) => d.labelled > 0);
  for (const [id, draw, hasData] of [
    ['days', days, stats.per_day.length > 0],
    ['digits', digits, labelledDigits],
    ['confidence', confidence, stats.total.predictions > 0],
  ]) {
    $(`chart-${id}-empty`).hidden = hasData;
    $(`chart-${id}`).closest('section').classList.toggle('no-data', !hasData);
    if (!hasData) continue;
    await nextTask();
    draw(stats, Chart);
  }
  document.body.dataset.loaded = 'yes';
}

// The app's answers, each person's memory included, and the model's own where the app
// sent it (model_digit): what a new model has to beat.
function totals(total, model) {
  $('total-predictions').textContent = total.predictions.toLocaleString();
  $('total-labelled').textContent = total.labelled.toLocaleString();
  const accuracy = (counts) => (counts.accuracy === null ? 'none yet' : percent(counts.accuracy));
  $('total-accuracy').textContent = accuracy(total);
  $('model-accuracy').textContent = accuracy(model);
}

// A table of the chart's figures: header cells, then rows of cells.
function table(id, caption, head, rows) {
  const element = $(id);
  element.replaceChildren();
  element.createCaption().textContent = caption;
  const headRow = element.createTHead().insertRow();
  for (const text of head) headRow.append(cell('th', text, { scope: 'col' }));
  const body = element.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((text, i) => tr.append(cell(i === 0 ? 'th' : 'td', text, i === 0 ? { scope: 'row' } : {})));
  }
}

// The chart's legend as buttons: each shows or hides its series, with the keyboard too.
function legend(id, chart) {
  const box = $(`legend-${id}`);
  box.replaceChildren(...chart.data.datasets.map((dataset, index) => {
    const button = cell('button', dataset.label, { type: 'button', 'aria-pressed': 'true' });
    const swatch = cell('span', '', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = dataset.borderColor ?? dataset.backgroundColor;
    button.prepend(swatch);
    button.addEventListener('click', () => {
      const shown = !chart.isDatasetVisible(index);
      chart.setDatasetVisibility(index, shown);
      chart.update();
      button.setAttribute('aria-pressed', String(shown));
    });
    return button;
  }));
}

function describe(id, text) {
  $(`chart-${id}`).setAttribute('aria-label', text);
}

// Over a run of days: the share right of those answered, or null.
const accuracyOver = (counts) => {
  const labelled = counts.reduce((sum, c) => sum + c.labelled, 0);
  return labelled ? counts.reduce((sum, c) => sum + c.correct, 0) / labelled : null;
};

// Rows of figures (each with accuracy, model.accuracy and predictions) as the app's
// accuracy line, the model's own, and the drawings' bars. order: the app's line over the
// model's, where they meet, and both over the bars; the model's points hollow and larger,
// so that where the two agree they ring the app's point.
function appModelAndDrawings(rows) {
  return [
    { type: 'line', label: 'The app', data: rows.map((r) => asPercent(r.accuracy)), yAxisID: 'accuracy',
      borderColor: css('--accent'), backgroundColor: css('--accent'), spanGaps: true, order: 0 },
    { type: 'line', label: 'The model alone', data: rows.map((r) => asPercent(r.model.accuracy)),
      yAxisID: 'accuracy', borderColor: css('--muted'), backgroundColor: 'transparent', borderDash: [6, 4],
      pointRadius: 6, pointBorderWidth: 2, spanGaps: true, order: 1 },
    { type: 'bar', label: 'Drawings', data: rows.map((r) => r.predictions), yAxisID: 'count',
      backgroundColor: css('--bar'), maxBarThickness: 48, order: 2 },
  ];
}

// Each day's drawings, the app's accuracy and the model's own: a model that reads
// people worse than before shows as the two lines parting or falling together.
function days({ per_day: perDay }, Chart) {
  describe('days', `${perDay.length} day${perDay.length === 1 ? '' : 's'} of drawings; ` +
    `accuracy where people answered: ${orNone(accuracyOver(perDay))}, ` +
    `by the model alone ${orNone(accuracyOver(perDay.map((d) => d.model)))}. ` +
    'The table below has the figures for each day.');
  table('table-days', 'Drawings and accuracy per day', ['Day', 'Drawings', 'Answered', 'Right', 'Right by the model alone'],
    perDay.map((d) => [d.day, d.predictions.toLocaleString(), d.labelled.toLocaleString(), orNone(d.accuracy),
      orNone(d.model.accuracy)]));
  if (!Chart) return;
  const chart = new Chart($('chart-days'), {
    data: {
      labels: perDay.map((d) => d.day),
      datasets: appModelAndDrawings(perDay),
    },
    options: {
      maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
      scales: { accuracy: { ...percentAxis, position: 'left' }, count: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } },
    },
  });
  legend('days', chart);
}

// The app's answers beside the model's own, for the digits people said they drew.
function digits({ per_digit: perDigit }, Chart) {
  describe('digits', 'Accuracy for each digit people drew: ' +
    perDigit.map((d) => `${d.digit}: ${orNone(d.accuracy)}, by the model alone ${orNone(d.model.accuracy)}`).join('; ') + '.');
  table('table-digits', 'Accuracy for each digit people drew', ['Digit', 'Answered', 'Right', 'Right by the model alone'],
    perDigit.map((d) => [String(d.digit), d.labelled.toLocaleString(), orNone(d.accuracy), orNone(d.model.accuracy)]));
  if (!Chart) return;
  // A digit read right 0% of the time keeps a sliver of a bar; one nobody answered has none.
  const bars = { maxBarThickness: 40, minBarLength: 3 };
  const chart = new Chart($('chart-digits'), {
    type: 'bar',
    data: {
      labels: perDigit.map((d) => String(d.digit)),
      datasets: [
        { label: 'The app', data: perDigit.map((d) => asPercent(d.accuracy)), backgroundColor: css('--accent'), ...bars },
        { label: 'The model alone', data: perDigit.map((d) => asPercent(d.model.accuracy)), backgroundColor: css('--bar'),
          ...bars },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: false, scales: { y: percentAxis }, plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            afterLabel: (item) => {
              const d = perDigit[item.dataIndex];
              return `${(item.datasetIndex === 0 ? d : d.model).labelled} answers`;
            },
          },
        },
      },
    },
  });
  legend('digits', chart);
}

// How often the app is right at each level of how sure it was, and the model alone at
// each level of how sure the model was (where the app sent it): the two lines apart show
// what each person's learned handwriting adds, and where the model's own confidence can
// be trusted.
function confidence({ confidence: buckets }, Chart) {
  const range = (b) => `${Math.round(b.from * 100)}–${Math.round(b.to * 100)}%`;
  describe('confidence', 'Drawings and how often they were right, by how sure the app was; and how often the ' +
    'model alone was right, by how sure the model was. The table below has the figures.');
  table('table-confidence', 'Drawings and accuracy by confidence',
    ['Confidence', 'Drawings', 'Answered', 'Right', 'The model alone this sure: answered', 'Right'],
    buckets.map((b) => [range(b), b.predictions.toLocaleString(), b.labelled.toLocaleString(), orNone(b.accuracy),
      b.model.labelled.toLocaleString(), orNone(b.model.accuracy)]));
  if (!Chart) return;
  const chart = new Chart($('chart-confidence'), {
    data: {
      labels: buckets.map(range),
      datasets: appModelAndDrawings(buckets),
    },
    options: {
      maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
      scales: { count: { position: 'left', beginAtZero: true }, accuracy: { ...percentAxis, position: 'right', grid: { drawOnChartArea: false } } },
    },
  });
  legend('confidence', chart);
}

// Cells tinted by how often; a pair that never happened stays blank and untinted.
function confusion(matrix) {
  const tableElement = $('confusion');
  const largest = Math.max(1, ...matrix.flat());
  const head = document.createElement('tr');
  head.append(cell('th', 'drawn, read as', { scope: 'col', class: 'corner' }));
  for (let p = 0; p < 10; p++) head.append(cell('th', String(p), { scope: 'col' }));
  const rows = [head];
  matrix.forEach((row, truth) => {
    const tr = document.createElement('tr');
    tr.append(cell('th', String(truth), { scope: 'row' }));
    row.forEach((count, predicted) => {
      const td = cell('td', count ? String(count) : '', { 'aria-label': `drawn ${truth}, read ${predicted}: ${count}` });
      if (count) {
        const strength = count / largest;
        td.style.background = `rgba(${truth === predicted ? '31, 95, 191' : '179, 38, 30'}, ${(0.12 + 0.88 * strength).toFixed(3)})`;
        if (strength > 0.5) td.classList.add('hot');
      }
      tr.append(td);
    });
    rows.push(tr);
  });
  tableElement.replaceChildren(...rows);
}

function cell(tag, text, attributes = {}) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

main();
