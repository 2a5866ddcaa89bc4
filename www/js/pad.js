// The drawing pad: Pointer Events (mouse, touch, pen) and the keyboard, smooth strokes
// of a fixed width, sharp on high-DPI screens. Strokes are kept as points in the unit
// square, so the pad can be redrawn at any size and rendered for the model at a fixed one.

const LINE_WIDTH = 0.075;      // of the pad's side: like MNIST's pen once scaled to 20 px
const MODEL_CANVAS = 280;      // side of the canvas the classifier reads
const MIN_STEP = 0.004;        // points closer than this (of the side) add nothing
const KEY_STEP = 0.04;         // arrow keys move the pen this far (Shift: three times)
const INK = '#1a1a2e';

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

    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.pointerUp(e));
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
    this.keyPen.down = false;
    this.startedAt = performance.now();
    this.redraw();
    this.onChange();
  }

  undo() {
    this.liftKeyPen(false);
    this.strokes.pop();
    this.redraw();
    this.onChange();
  }

  // Strokes for the log: integer coordinates in 0..1000 and milliseconds.
  strokesForLog() {
    return this.strokes.map((stroke) => stroke.map(([x, y, t]) => [Math.round(x * 1000), Math.round(y * 1000), Math.round(t)]));
  }

  // The drawing as the classifier reads it: ink on a transparent canvas of fixed size,
  // so every screen and zoom level gives the model the same picture.
  imageForModel() {
    const canvas = new OffscreenCanvas(MODEL_CANVAS, MODEL_CANVAS);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    this.paint(context, MODEL_CANVAS, this.strokes);
    return context.getImageData(0, 0, MODEL_CANVAS, MODEL_CANVAS);
  }

  // ---- pointer input

  pointerDown(event) {
    if (this.activePointer !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.activePointer = event.pointerId;
    this.active = [this.point(event)];
    this.redraw();
  }

  pointerMove(event) {
    if (event.pointerId !== this.activePointer) return;
    event.preventDefault();
    // Coalesced events carry the points between frames: smooth curves on fast strokes.
    const events = event.getCoalescedEvents?.() ?? [event];
    for (const e of events.length ? events : [event]) this.extend(this.point(e));
    this.redraw();
  }

  pointerUp(event) {
    if (event.pointerId !== this.activePointer) return;
    this.activePointer = null;
    this.finishStroke();
  }

  point(event) {
    const box = this.canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height),
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
    this.redraw();
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
        this.redraw();
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
    this.redraw();
  }

  liftKeyPen(finish = true) {
    if (!this.keyPen.down) return;
    this.keyPen.down = false;
    if (finish) this.finishStroke();
    else this.active = null;
  }

  // ---- rendering

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const side = Math.round(this.canvas.clientWidth * ratio);
    if (side > 0 && (this.canvas.width !== side || this.canvas.height !== side)) {
      this.canvas.width = side;
      this.canvas.height = side;
      this.redraw();
    }
  }

  redraw() {
    const side = this.canvas.width;
    this.context.clearRect(0, 0, side, side);
    this.paint(this.context, side, this.active ? [...this.strokes, this.active] : this.strokes);
    if (this.keyPen.visible && document.activeElement === this.canvas) {
      const { x, y, down } = this.keyPen;
      this.context.beginPath();
      this.context.arc(x * side, y * side, side * LINE_WIDTH * 0.6, 0, 2 * Math.PI);
      this.context.strokeStyle = down ? '#d14d00' : '#1f5fbf';
      this.context.lineWidth = Math.max(2, side * 0.008);
      this.context.stroke();
    }
  }

  paint(context, side, strokes) {
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = INK;
    context.fillStyle = INK;
    context.lineWidth = side * LINE_WIDTH;
    for (const stroke of strokes) {
      const [x0, y0] = stroke[0];
      if (stroke.length === 1) {  // a dot
        context.beginPath();
        context.arc(x0 * side, y0 * side, (side * LINE_WIDTH) / 2, 0, 2 * Math.PI);
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
