// The till's service worker: the app itself opens without a network (the shell and its files are
// cached); the API is never cached — an answer about money must be live or queued by the app.
const CACHE = 'till-v2';

/** The files a page and its scripts name (hashed names under /app-assets/), the decoder's WebAssembly included. */
async function assetsOf(response) {
  const text = await response.text();
  return [...new Set([...text.matchAll(/\/app-assets\/[A-Za-z0-9._-]+/g)].map((m) => m[0]))];
}

// Installed with the page and everything it needs, so the till opens (and scans) without a network.
self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch('/till/', { cache: 'no-store' });
      await cache.put('/till/', page.clone());
      const assets = await assetsOf(page);
      for (const script of assets.filter((a) => a.endsWith('.js'))) assets.push(...(await assetsOf(await fetch(script))));
      await cache.addAll([...new Set(assets)]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/app-assets/')) {
    // Hashed file names: a cached copy is always the right one.
    event.respondWith(
      caches.match(event.request).then(
        (hit) =>
          hit ||
          fetch(event.request).then((res) => {
            const copy = res.clone();
            if (res.ok) caches.open(CACHE).then((c) => c.put(event.request, copy));
            return res;
          }),
      ),
    );
  } else if (event.request.mode === 'navigate' && url.pathname.startsWith('/till')) {
    // The page: the network first (a new version), the cached shell when offline. Only the page
    // itself is kept as the shell (not the icon or the manifest that share its path).
    event.respondWith(
      fetch(event.request)
        .then((res) => {
          const copy = res.clone();
          if (res.ok && (res.headers.get('content-type') || '').startsWith('text/html')) caches.open(CACHE).then((c) => c.put('/till/', copy));
          return res;
        })
        .catch(() => caches.match('/till/')),
    );
  }
});
