// The records the app logs, in the wire format of POST /log (docs/API.md).

export function predictionRecord({ clientId, answer, engine, modelVersion, strokes }) {
  return {
    type: 'prediction',
    id: randomId(),
    client_id: clientId,
    created_at: new Date().toISOString(),
    predicted_digit: answer.digit,
    model_digit: answer.modelDigit,  // before the person's memory had its say
    model_confidence: answer.modelConfidence,
    confidence: answer.confidence,
    probabilities: answer.probabilities,
    image: toBase64(answer.image),
    engine,
    model_version: modelVersion,
    latency_ms: Math.round(answer.ms * 1000) / 1000,
    strokes,
  };
}

export function feedbackRecord({ clientId, predictionId, trueDigit }) {
  return {
    type: 'feedback',
    id: randomId(),
    prediction_id: predictionId,
    true_digit: trueDigit,
    client_id: clientId,
    created_at: new Date().toISOString(),
  };
}

// A random (version 4) UUID. crypto.randomUUID() exists only on secure pages (https,
// localhost); the app served over plain HTTP on a network address, as a home server
// often is, still has crypto.getRandomValues, the same randomness.
export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // the RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toBase64(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
