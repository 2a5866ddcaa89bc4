// The drawing pad: Pointer Events (mouse, touch, pen) and the keyboard, smooth strokes
// of a fixed width, sharp on high-DPI screens. Strokes are kept as points in the unit
// square, so the pad can be redrawn at any size and rendered for the model at a fixed one.

const LINE_WIDTH = 0.075;      // of the pad's side: like MNIST's pen once scaled to 20 px
export const MODEL_CANVAS = 280;  // side of the canvas the classifier reads
const MIN_STEP = 0.004;        // points closer than this (of the side) add nothing
// The model reads every drawing at one size: as if drawn across MODEL_SIZE of the pad.
// Drawn small, a digit would otherwise reach the model as a thick blob (the line is the
// pad's width whatever the digit's size); drawn anywhere at any size, it gives the model
// one picture. MODEL_SIZE was chosen on writers the model never saw (model/MODEL.md).
// The picture is painted across MODEL_FILL of the model's canvas with the line scaled to
// match, so that even a drawing all ink covers less than half of the canvas (the
// preprocessing takes the median as the background). MAX_ZOOM brings any digit over 6%
// of the side to full size, and leaves a tap a dot.
const MODEL_SIZE = 0.9;
const MODEL_FILL = 0.6;
export const MODEL_LINE_WIDTH = (LINE_WIDTH * MODEL_FILL) / MODEL_SIZE;
const MAX_ZOOM = 10;
// A stroke shorter than STRAY_SIZE of the digit's longest, and STRAY_GAP of it away from
// the rest, is a stray tap the model does not read (withoutStrayTaps).
const STRAY_SIZE = 0.25;
const STRAY_GAP = 0.35;
const KEY_STEP = 0.04;         // arrow keys move the pen this far (Shift: three times)
const INK = '#1a1a2e';
const STRAY_INK = '#a9a9bd';  // a stray tap, which the model does not read: faded
// What POST /log takes of the strokes (docs/API.md): more points are thinned out, evenly.
const LOG_MAX_STROKES = 200;
const LOG_MAX_POINTS = 2000;   // per stroke
const LOG_MAX_BYTES = 60000;   // of JSON, under the server's 64 KiB

export class DrawingPad {
  constructor(canvas, { onStrokeEnd, onChange }) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.onStrokeEnd = onStrokeEnd;
    this.onChange = onChange;
    this.strokes = [];          // [[x, y, t], ...] per stroke, x and y in [0, 1]
    this.active = null;         // the stroke being drawn
    this.activePointer = null;
    this.keyPen = { x: 0.5, y: 0.5, down: false, visible: false };
    this.startedAt = performance.now();
    this.finished = null;       // the finished strokes, painted once (redraws copy them)
    this.finishedStale = true;  // strokes changed since they were painted there
    this.frame = 0;             // a redraw waiting for the next animation frame

    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.pointerUp(e));
    // The pad's touches are its own: a stroke that ends in a flick would otherwise start
    // a fling (touch-action: none stops the scrolling, not the fling), and the next tap
    // within a second, on Correct say, would only stop that fling and click nothing.
    // Pointer events still come: they are dispatched before the touch events.
    for (const type of ['touchstart', 'touchmove']) {
      canvas.addEventListener(type, (e) => e.preventDefault(), { passive: false });
    }
    canvas.addEventListener('keydown', (e) => this.keyDown(e));
    canvas.addEventListener('blur', () => this.liftKeyPen());
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get isEmpty() {
    return this.strokes.length === 0 && !this.active;
  }

  clear() {
    this.strokes = [];
    this.active = null;
    this.activePointer = null;
    this.keyPen.down = false;
    this.startedAt = performance.now();
    this.strokesChanged();
    this.onChange();
  }

  undo() {
    this.liftKeyPen(false);
    this.strokes.pop();
    this.strokesChanged();
    this.onChange();
  }

  // Strokes for the log: integer coordinates in 0..1000 and milliseconds, thinned out
  // evenly (first and last points kept) where a long scribble would pass what the
  // server takes.
  strokesForLog() {
    const asInts = ([x, y, t]) => [Math.round(x * 1000), Math.round(y * 1000), Math.round(t)];
    const pick = (stroke, count) => (stroke.length <= count ? stroke
      : Array.from({ length: count }, (_, i) => stroke[Math.round((i * (stroke.length - 1)) / (count - 1))]));
    let strokes;
    for (let count = LOG_MAX_POINTS; ; count = Math.max(2, Math.floor(count * 0.8))) {
      strokes = this.strokes.slice(0, LOG_MAX_STROKES).map((stroke) => pick(stroke, count).map(asInts));
      if (count === 2 || JSON.stringify(strokes).length <= LOG_MAX_BYTES) return strokes;
    }
  }

  // The drawing as the classifier reads it: ink on a transparent canvas of fixed size, at
  // one size on it, so every screen, zoom level and size of drawing gives the model the
  // same picture.
  imageForModel() {
    const canvas = new OffscreenCanvas(MODEL_CANVAS, MODEL_CANVAS);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    this.paint(context, MODEL_CANVAS, strokesForModel(this.strokes), MODEL_LINE_WIDTH);
    return context.getImageData(0, 0, MODEL_CANVAS, MODEL_CANVAS);
  }

  // ---- pointer input

  // One pointer draws at a time: a second finger (or a pen's hover, which has no
  // pointerdown) draws nothing.
  pointerDown(event) {
    if (this.activePointer !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.activePointer = event.pointerId;
    this.active = [this.point(event)];
    this.scheduleRedraw();
  }

  pointerMove(event) {
    if (event.pointerId !== this.activePointer || !this.active) return;
    event.preventDefault();
    // Coalesced events carry the points between frames: smooth curves on fast strokes.
    const events = event.getCoalescedEvents?.() ?? [event];
    for (const e of events.length ? events : [event]) {
      const point = this.point(e);
      if (!inside(point)) {  // the stroke leaves the pad: it ends at the edge
        this.extend(edgePoint(this.active[this.active.length - 1], point));
        this.finishStroke();
        return;
      }
      this.extend(point);
    }
    this.scheduleRedraw();
  }

  pointerUp(event) {
    if (event.pointerId !== this.activePointer) return;
    this.activePointer = null;
    this.finishStroke();
  }

  // Where the pointer is, in pad units (outside [0, 1] when it is off the pad).
  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height,
      performance.now() - this.startedAt];
  }

  extend(point) {
    const last = this.active[this.active.length - 1];
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) >= MIN_STEP) this.active.push(point);
  }

  finishStroke() {
    if (!this.active) return;
    this.strokes.push(this.active);
    this.active = null;
    this.strokesChanged();
    this.onChange();
    this.onStrokeEnd();
  }

  // ---- keyboard input: arrows move the pen, Space lowers or lifts it

  keyDown(event) {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const pen = this.keyPen;
    if (event.key === ' ') {
      event.preventDefault();
      pen.visible = true;
      if (pen.down) {
        this.liftKeyPen();
      } else {
        pen.down = true;
        this.active = [[pen.x, pen.y, performance.now() - this.startedAt]];
        this.scheduleRedraw();
      }
      return;
    }
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const step = KEY_STEP * (event.shiftKey ? 3 : 1);
    pen.visible = true;
    pen.x = Math.min(1, Math.max(0, pen.x + move[0] * step));
    pen.y = Math.min(1, Math.max(0, pen.y + move[1] * step));
    if (pen.down) this.active.push([pen.x, pen.y, performance.now() - this.startedAt]);
    this.scheduleRedraw();
  }

  liftKeyPen(finish = true) {
    if (!this.keyPen.down) return;
    this.keyPen.down = false;
    if (finish) this.finishStroke();
    else this.active = null;
  }

  // ---- rendering

  // The strokes are kept in pad units, so a new size (a turned phone, a resized window)
  // repaints the same drawing, mid-stroke too.
  resize() {
    const ratio = window.devicePixelRatio || 1;
    const side = Math.round(this.canvas.clientWidth * ratio);
    if (side > 0 && (this.canvas.width !== side || this.canvas.height !== side)) {
      this.canvas.width = side;
      this.canvas.height = side;
      this.strokesChanged();
    }
  }

  strokesChanged() {
    this.finishedStale = true;
    this.scheduleRedraw();
  }

  // Pointer events come faster than frames: paint at most once per frame.
  scheduleRedraw() {
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.redraw();
    });
  }

  redraw() {
    const side = this.canvas.width;
    // One canvas for the finished strokes, made again only for a new size: a new one at
    // every stroke's end took 20 ms of the frame after it on a phone's pad (three device
    // pixels to the CSS pixel, software rendering), against 0.6 ms cleared and repainted.
    if (this.finished?.width !== side) {
      this.finished = new OffscreenCanvas(side, side);
      this.finishedStale = true;
    }
    if (this.finishedStale) {
      this.finishedStale = false;
      const context = this.finished.getContext('2d');
      context.clearRect(0, 0, side, side);
      const read = withoutStrayTaps(this.strokes);
      this.paint(context, side, this.strokes.filter((stroke) => !read.includes(stroke)), LINE_WIDTH, STRAY_INK);
      this.paint(context, side, read);
    }
    this.context.clearRect(0, 0, side, side);
    this.context.drawImage(this.finished, 0, 0);
    if (this.active) this.paint(this.context, side, [this.active]);
    if (this.keyPen.visible && document.activeElement === this.canvas) {
      const { x, y, down } = this.keyPen;
      this.context.beginPath();
      this.context.arc(x * side, y * side, side * LINE_WIDTH * 0.6, 0, 2 * Math.PI);
      this.context.strokeStyle = down ? '#d14d00' : '#1f5fbf';
      this.context.lineWidth = Math.max(2, side * 0.008);
      this.context.stroke();
    }
  }

  paint(context, side, strokes, lineWidth = LINE_WIDTH, ink = INK) {
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = ink;
    context.fillStyle = ink;
    context.lineWidth = side * lineWidth;
    for (const stroke of strokes) {
      const [x0, y0] = stroke[0];
      if (stroke.length === 1) {  // a dot
        context.beginPath();
        context.arc(x0 * side, y0 * side, (side * lineWidth) / 2, 0, 2 * Math.PI);
        context.fill();
        continue;
      }
      // Quadratic curves through the midpoints: smooth, and they pass near every point.
      context.beginPath();
      context.moveTo(x0 * side, y0 * side);
      for (let i = 1; i < stroke.length - 1; i++) {
        const [x, y] = stroke[i];
        const [nx, ny] = stroke[i + 1];
        context.quadraticCurveTo(x * side, y * side, ((x + nx) / 2) * side, ((y + ny) / 2) * side);
      }
      const [xn, yn] = stroke[stroke.length - 1];
      context.lineTo(xn * side, yn * side);
      context.stroke();
    }
  }
}

// The strokes the model reads (stray taps left out), moved and scaled so that the
// drawing's bounding box is centred and its longer side is MODEL_FILL of the side (at
// most MAX_ZOOM times larger).
// ref: model/render.py model_strokes()
export function strokesForModel(strokes) {
  return placeForModel(withoutStrayTaps(strokes));
}

// ref: model/render.py place_for_model()
function placeForModel(strokes) {
  if (strokes.length === 0) return strokes;
  const { left, top, right, bottom } = strokes.map(strokeBox).reduce(union);
  const extent = Math.max(right - left, bottom - top);
  const zoom = extent * MAX_ZOOM > MODEL_FILL ? MODEL_FILL / extent : MAX_ZOOM;
  const [middleX, middleY] = [(left + right) / 2, (top + bottom) / 2];
  return strokes.map((stroke) => stroke.map(([x, y]) => [(x - middleX) * zoom + 0.5, (y - middleY) * zoom + 0.5]));
}

// The strokes without the small ones far from the digit (a finger resting on a phone, a
// tap in a corner), which would widen the box the drawing is zoomed by and shrink the
// digit to a corner of the model's picture. The digit grows from its longest stroke: a
// stroke joins it when it is longer than STRAY_SIZE of that one, or within STRAY_GAP of it
// from what has joined so far, until none joins. Dots alone are kept. Returns the same
// stroke objects, in order.
// ref: model/render.py without_stray_taps(), where the measurements are
export function withoutStrayTaps(strokes) {
  const boxes = strokes.map(strokeBox);
  const sizes = boxes.map(({ left, top, right, bottom }) => Math.max(right - left, bottom - top));
  const scale = Math.max(0, ...sizes);
  if (strokes.length < 2 || scale === 0) return strokes.slice();
  const joined = sizes.map(() => false);
  const seed = sizes.indexOf(scale);
  joined[seed] = true;
  let body = boxes[seed];
  for (let grew = true; grew;) {
    grew = false;
    boxes.forEach((box, i) => {
      if (joined[i]) return;
      const gap = Math.max(0, body.left - box.right, box.left - body.right, body.top - box.bottom, box.top - body.bottom);
      if (sizes[i] > STRAY_SIZE * scale || gap < STRAY_GAP * scale) {
        joined[i] = grew = true;
        body = union(body, box);
      }
    });
  }
  return strokes.filter((_, i) => joined[i]);
}

function strokeBox(stroke) {
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const [x, y] of stroke) {
    box.left = Math.min(box.left, x);
    box.right = Math.max(box.right, x);
    box.top = Math.min(box.top, y);
    box.bottom = Math.max(box.bottom, y);
  }
  return box;
}

function union(a, b) {
  return { left: Math.min(a.left, b.left), top: Math.min(a.top, b.top),
    right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) };
}

function inside([x, y]) {
  return x >= 0 && x <= 1 && y >= 0 && y <= 1;
}

// Where the segment from a point on the pad to one off it crosses the pad's edge.
function edgePoint(from, to) {
  let t = 1;
  for (let axis = 0; axis < 2; axis++) {
    if (to[axis] < 0) t = Math.min(t, from[axis] / (from[axis] - to[axis]));
    if (to[axis] > 1) t = Math.min(t, (1 - from[axis]) / (to[axis] - from[axis]));
  }
  return [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t, to[2]];
}
