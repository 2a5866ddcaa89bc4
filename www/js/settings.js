// Which engine to use: ?engine=native|ort|auto for this visit, else the saved choice.
const KEY = 'digits.engine';
const CHOICES = ['auto', 'native', 'ort'];

// Small settings, kept in localStorage. A browser that refuses this site its storage
// throws on the very access to localStorage; the settings then last as long as the tab.
const unsaved = new Map();

export function readSetting(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return unsaved.get(key) ?? null;
  }
}

export function writeSetting(key, value) {
  unsaved.set(key, value);
  try {
    localStorage.setItem(key, value);
  } catch {
    // kept in unsaved, for this tab
  }
}

export function engineChoice() {
  const asked = new URL(location.href).searchParams.get('engine');
  if (CHOICES.includes(asked)) return asked;
  const saved = readSetting(KEY);
  return CHOICES.includes(saved) ? saved : 'auto';
}

export function saveEngineChoice(choice) {
  if (CHOICES.includes(choice)) writeSetting(KEY, choice);
}

export const engineNames = { native: 'built-in C++ engine', ort: 'ONNX Runtime Web' };
