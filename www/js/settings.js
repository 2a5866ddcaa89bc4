// Which engine to use: ?engine=native|ort|auto for this visit, else the saved choice.
const KEY = 'digits.engine';
const CHOICES = ['auto', 'native', 'ort'];

export function engineChoice() {
  const asked = new URL(location.href).searchParams.get('engine');
  if (CHOICES.includes(asked)) return asked;
  const saved = localStorage.getItem(KEY);
  return CHOICES.includes(saved) ? saved : 'auto';
}

export function saveEngineChoice(choice) {
  if (CHOICES.includes(choice)) localStorage.setItem(KEY, choice);
}

export const engineNames = { native: 'built-in C++ engine', ort: 'ONNX Runtime Web' };
