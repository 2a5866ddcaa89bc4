// Registers the service worker and offers a reload when a new version is waiting.
export async function registerServiceWorker(doc) {
  if (!('serviceWorker' in navigator)) return;
  let registration;
  try {
    registration = await navigator.serviceWorker.register('sw.js', { type: 'module' });
  } catch (error) {
    console.warn('offline support is unavailable:', error);
    return;
  }
  if (!registration) return;  // a browser that blocks service workers may answer with nothing
  const notice = doc.getElementById('update');
  const offer = (worker) => {
    notice.hidden = false;
    doc.getElementById('update-reload').onclick = () => worker.postMessage({ type: 'activate-now' });
  };
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      // A first install controls nothing yet; only a replacement needs a reload.
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!reloading && !notice.hidden) {
      reloading = true;
      location.reload();
    }
  });
}
