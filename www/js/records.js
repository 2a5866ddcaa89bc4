// The records the app logs, in the wire format of POST /log (docs/API.md).

export function predictionRecord({ clientId, answer, engine, modelVersion, strokes }) {
  return {
    type: 'prediction',
    id: crypto.randomUUID(),
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
    id: crypto.randomUUID(),
    prediction_id: predictionId,
    true_digit: trueDigit,
    client_id: clientId,
    created_at: new Date().toISOString(),
  };
}

export function toBase64(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
