import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

// The decoder's WebAssembly is served by us (its default is a CDN, which the CSP forbids anyway).
prepareZXingModule({ overrides: { locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? wasmUrl : prefix + file) } });

/** What the cards carry: the program's format is one of these. */
const FORMATS = ['qr_code', 'pdf417', 'code_128'] as const;

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: { new (options: { formats: string[] }): Detector; getSupportedFormats(): Promise<string[]> };
  }
}

/** The browser's own BarcodeDetector where it reads our formats (Android, macOS), else zxing's WebAssembly. */
async function makeDecoder(): Promise<(video: HTMLVideoElement, canvas: HTMLCanvasElement) => Promise<string | undefined>> {
  const Native = window.BarcodeDetector;
  if (Native) {
    const supported = await Native.getSupportedFormats().catch(() => [] as string[]);
    if (FORMATS.every((f) => supported.includes(f))) {
      const detector = new Native({ formats: [...FORMATS] });
      return async (video) => (await detector.detect(video))[0]?.rawValue;
    }
  }
  return async (video, canvas) => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return undefined;
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0, w, h);
    const [hit] = await readBarcodes(ctx.getImageData(0, 0, w, h), { formats: ['QRCode', 'PDF417', 'Code128'], tryHarder: true, maxNumberOfSymbols: 1 });
    return hit?.isValid ? hit.text : undefined;
  };
}

/**
 * The code the camera last saw, across camera starts: after a purchase the customer's phone is often
 * still in front of the lens, and must not open the same customer again. A frame with no code (or
 * another code) clears it.
 */
let lastSeen: string | undefined;

/**
 * Continuous scanning from the rear camera into `onCode`, about six frames a second; the same code
 * is reported once until another (or none) is seen. Returns a stop function; rejects without a camera.
 */
export async function startCamera(video: HTMLVideoElement, onCode: (code: string) => void): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  const decode = await makeDecoder();
  const canvas = document.createElement('canvas');
  let running = true;
  const tick = async () => {
    if (!running) return;
    try {
      const code = await decode(video, canvas);
      if (code && code !== lastSeen && running) onCode(code);
      lastSeen = code;
    } catch {
      /* a frame that cannot be read: the next one */
    }
    if (running) setTimeout(tick, 160);
  };
  void tick();
  return () => {
    running = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
}

/**
 * A USB or Bluetooth scanner types like a keyboard: characters in quick succession, then Enter.
 * Keys typed into a form field are the field's; everything else is listened to here.
 */
export function listenForWedge(onCode: (code: string) => void): () => void {
  let buffer = '';
  let lastAt = 0;
  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    const now = performance.now();
    if (now - lastAt > 300) buffer = '';
    lastAt = now;
    if (e.key === 'Enter') {
      if (buffer.length >= 4) {
        // The scan's Enter is the scanner's, not a press of whatever button has the focus.
        e.preventDefault();
        onCode(buffer);
      }
      buffer = '';
    } else if (e.key.length === 1) buffer += e.key;
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}

/** A short beep and a buzz: the cashier hears and feels the scan. */
export function signalScan(): void {
  navigator.vibrate?.(60);
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 1200;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.08);
  } catch {
    /* no audio: the vibration and the screen say it */
  }
}
