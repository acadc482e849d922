import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, problemText } from '../api/client.js';
import { initialLang, tr, type Lang, type TextKey } from './i18n.js';
import { luhnValid } from './luhn.js';
import { enqueue, flush, queued, type QueuedPurchase } from './queue.js';
import { listenForWedge, signalScan, startCamera } from './scanner.js';
import './styles.css';

interface Context {
  store: { id: string; name: string };
  program: { slug: string; name: string; currency: string; barcodeFormat: string; maxRedeemPercent: number };
  cashier: string;
}
interface Customer {
  barcode: string;
  cardNumber: string;
  firstName: string;
  tier: string;
  balance: number;
  /** Scanned without a network: only an earn-only purchase, queued, is possible. */
  offline?: boolean;
}
type Screen =
  | { kind: 'scan' }
  | { kind: 'customer'; customer: Customer }
  | { kind: 'result'; earned: number; redeemed: number; balance: number | null; queued: boolean }
  | { kind: 'refunds' }
  | { kind: 'newcard' };

/** A network failure (no answer at all), as opposed to an answer that says no. */
const offline = (err: unknown) => err instanceof TypeError;

/**
 * A money-moving call: one Idempotency-Key for all its attempts, retried while the network fails
 * (up to `tries`), so a lost answer never rings a purchase up twice.
 */
async function withKey<T>(key: string, call: (params: { header: { 'Idempotency-Key': string } }) => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call({ header: { 'Idempotency-Key': key } });
    } catch (err) {
      if (!offline(err) || i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 400 * i));
    }
  }
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const t = (key: TextKey, vars?: Record<string, string | number>) => tr(lang, key, vars);
  const [ctx, setCtx] = useState<Context | null>(null);
  const [screen, setScreen] = useState<Screen>({ kind: 'scan' });
  const [notice, setNotice] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(0);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('till.lang', lang);
  }, [lang]);

  useEffect(() => {
    void (async () => {
      const res = await api.GET('/api/v1/pos/context').catch(() => null);
      if (res?.response.status === 401 || res?.response.status === 403) {
        location.href = '/login?next=/till';
        return;
      }
      if (res?.data) {
        setCtx(res.data);
        localStorage.setItem('till.context', JSON.stringify(res.data));
      } else {
        // Opened without a network: the store it last worked for (purchases queue until it is back).
        const saved = localStorage.getItem('till.context');
        if (saved) setCtx(JSON.parse(saved) as Context);
      }
    })();
    if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/till/sw.js', { scope: '/till/' }).catch(() => undefined);
  }, []);

  // What waits offline goes out, in order, when the network returns (and every few seconds).
  const flushing = useRef<Promise<void> | null>(null);
  const sendQueued = useCallback(() => {
    flushing.current ??= (async () => {
      let signedOut = false;
      const { left, refused } = await flush(async (item: QueuedPurchase) => {
        try {
          const res = await api.POST('/api/v1/pos/purchases', { body: item.body, params: { header: { 'Idempotency-Key': item.key } } });
          if (res.response.ok) return 'sent';
          const status = res.response.status;
          // Not an answer about the purchase: the session ended, or the service is busy or away.
          // The purchase stays queued (same key) until it can be answered.
          if (status === 401 || status === 403) signedOut = true;
          if (status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) return 'offline';
          return 'refused';
        } catch {
          return 'offline';
        }
      });
      setWaiting(left);
      if (refused > 0) setNotice(tr(initialLang(), 'queueRefused', { n: refused }));
      if (signedOut) location.href = '/login?next=/till';
    })().finally(() => (flushing.current = null));
    return flushing.current;
  }, []);
  useEffect(() => {
    void queued().then((q) => setWaiting(q.length));
    void sendQueued();
    window.addEventListener('online', sendQueued);
    const every = setInterval(sendQueued, 5000);
    return () => {
      window.removeEventListener('online', sendQueued);
      clearInterval(every);
    };
  }, [sendQueued]);

  const lookup = useCallback(
    async (raw: string) => {
      const barcode = raw.trim();
      if (!barcode) return;
      try {
        const res = await api.GET('/api/v1/pos/cards/{barcode}', { params: { path: { barcode } } });
        if (!res.data) return setNotice(problemText(res.error, t('notFound')));
        signalScan();
        setNotice(null);
        setScreen({ kind: 'customer', customer: { barcode, ...res.data } });
      } catch {
        // No network: the scan still opens an earn-only purchase, queued until it is back — for a
        // code that can be a card (a garbled scan would be refused later, its purchase lost).
        if (/^\d+$/.test(barcode) && !luhnValid(barcode)) return setNotice(t('checkNumber'));
        signalScan();
        setNotice(t('needsNetwork'));
        setScreen({ kind: 'customer', customer: { barcode, cardNumber: barcode, firstName: '—', tier: '—', balance: 0, offline: true } });
      }
    },
    [lang],
  );

  if (!ctx) return <main class="till loading" aria-busy="true" />;
  return (
    <main class="till">
      <header>
        <div class="where">
          <strong>{ctx.store.name}</strong>
          <span>{ctx.cashier}</span>
        </div>
        {waiting > 0 && (
          <span class="waiting" data-testid="waiting">
            {t('waiting', { n: waiting })}
          </span>
        )}
        <button class="lang" onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')}>
          {lang === 'ru' ? 'EN' : 'RU'}
        </button>
      </header>
      <nav>
        {(['scan', 'refunds', 'newcard'] as const).map((k) => (
          <button key={k} class={screen.kind === k || (k === 'scan' && screen.kind === 'customer') ? 'on' : ''} onClick={() => setScreen({ kind: k })}>
            {t(k === 'scan' ? 'scan' : k === 'refunds' ? 'refunds' : 'newCard')}
          </button>
        ))}
      </nav>
      {notice && (
        <p class="notice" role="alert">
          {notice}
        </p>
      )}
      {screen.kind === 'scan' && <ScanScreen t={t} onCode={lookup} />}
      {screen.kind === 'customer' && (
        <CustomerScreen
          t={t}
          ctx={ctx}
          customer={screen.customer}
          onDone={(r) => setScreen({ kind: 'result', ...r })}
          onQueued={(n) => {
            setWaiting(n);
            setScreen({ kind: 'result', earned: 0, redeemed: 0, balance: null, queued: true });
          }}
          onProblem={setNotice}
        />
      )}
      {screen.kind === 'result' && <ResultScreen t={t} result={screen} onNext={() => setScreen({ kind: 'scan' })} />}
      {screen.kind === 'refunds' && <RefundScreen t={t} onProblem={setNotice} />}
      {screen.kind === 'newcard' && <NewCardScreen t={t} ctx={ctx} lang={lang} onProblem={setNotice} onCard={lookup} />}
    </main>
  );
}

type T = (key: TextKey, vars?: Record<string, string | number>) => string;

function ScanScreen({ t, onCode }: { t: T; onCode: (code: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<'starting' | 'on' | 'off'>('starting');
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState(false);
  const [phone, setPhone] = useState('');
  const [matches, setMatches] = useState<{ cardNumber: string; cardLast4: string; firstName: string }[] | null>(null);

  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    startCamera(video.current!, onCode).then(
      (s) => (cancelled ? s() : ((stop = s), setCamera('on'))),
      () => setCamera('off'),
    );
    const unlisten = listenForWedge(onCode);
    return () => {
      cancelled = true;
      stop?.();
      unlisten();
    };
  }, [onCode]);

  const submitNumber = (e: Event) => {
    e.preventDefault();
    const digits = typed.replace(/\D/g, '');
    if (!luhnValid(digits)) return setTypedError(true);
    setTypedError(false);
    onCode(digits);
  };
  const searchPhone = async (e: Event) => {
    e.preventDefault();
    const res = await api.GET('/api/v1/pos/customers', { params: { query: { phone } } });
    setMatches(res.data?.items ?? []);
  };

  return (
    <section class="scan">
      {/* The frame keeps its size while the camera starts: nothing below it moves. */}
      <div class={`camera ${camera}`}>
        <video ref={video} muted playsInline aria-label={t('cameraHint')} />
        <p>{camera === 'off' ? t('cameraOff') : t('cameraHint')}</p>
      </div>
      <form onSubmit={submitNumber} class="row" noValidate>
        <label>
          {t('cardNumber')}
          <input
            id="card-number"
            inputMode="numeric"
            autoComplete="off"
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
            aria-invalid={typedError}
          />
        </label>
        <button type="submit">{t('find')}</button>
      </form>
      {typedError && (
        <p class="error" role="alert">
          {t('checkNumber')}
        </p>
      )}
      <form onSubmit={searchPhone} class="row" noValidate>
        <label>
          {t('phone')}
          <input id="phone-search" inputMode="tel" autoComplete="off" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('byPhone')}</button>
      </form>
      {matches && (
        <ul class="matches">
          {matches.length === 0 && <li>{t('noMatches')}</li>}
          {matches.map((m) => (
            <li key={m.cardNumber}>
              <button onClick={() => onCode(m.cardNumber)}>
                {m.firstName} · •••• {m.cardLast4}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CustomerScreen(props: {
  t: T;
  ctx: Context;
  customer: Customer;
  onDone: (r: { earned: number; redeemed: number; balance: number; queued: false }) => void;
  onQueued: (waiting: number) => void;
  onProblem: (text: string) => void;
}) {
  const { t, customer } = props;
  const [amount, setAmount] = useState('');
  const [maxPoints, setMaxPoints] = useState<number | null>(null);
  const [mode, setMode] = useState<'none' | 'chosen' | 'max'>('none');
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  // One key and one receipt per purchase, kept across retries of it.
  const attempt = useRef({ key: crypto.randomUUID(), receiptId: `till-${crypto.randomUUID()}` });

  useEffect(() => {
    const value = amount.replace(',', '.');
    if (!/^\d+(\.\d{1,2})?$/.test(value) || Number(value) <= 0) return setMaxPoints(null);
    const timer = setTimeout(async () => {
      const res = await api.GET('/api/v1/pos/cards/{barcode}', { params: { path: { barcode: customer.barcode }, query: { amount: value } } }).catch(() => null);
      setMaxPoints(res?.data?.maxRedeemPoints ?? null);
    }, 250);
    return () => clearTimeout(timer);
  }, [amount]);

  const redeem = mode === 'none' ? 0 : mode === 'max' ? (maxPoints ?? 0) : Math.min(Number(chosen) || 0, maxPoints ?? 0);
  const record = async (e: Event) => {
    e.preventDefault();
    const value = amount.replace(',', '.');
    if (!/^\d+(\.\d{1,2})?$/.test(value)) return;
    setBusy(true);
    const body = { barcode: customer.barcode, receiptId: attempt.current.receiptId, amount: value, redeemPoints: redeem };
    try {
      const res = await withKey(attempt.current.key, (params) => api.POST('/api/v1/pos/purchases', { body, params }));
      if (res.data) props.onDone({ earned: res.data.earned, redeemed: res.data.redeemed, balance: res.data.balance, queued: false });
      else props.onProblem(problemText(res.error, t('error')));
    } catch (err) {
      if (!offline(err)) throw err;
      // Earning can wait for the network; spending points cannot (the balance must be live).
      if (redeem > 0) props.onProblem(t('needsNetwork'));
      else props.onQueued(await enqueue({ key: attempt.current.key, body: { ...body, redeemPoints: 0 }, queuedAt: new Date().toISOString() }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="customer">
      <div class="card-panel">
        <h2 data-testid="first-name">{customer.firstName}</h2>
        {customer.offline && (
          <p class="offline" data-testid="offline">
            {t('needsNetwork')}
          </p>
        )}
        {!customer.offline && (
          <dl>
            <div>
              <dt>{t('balance')}</dt>
              <dd data-testid="balance">{customer.balance}</dd>
            </div>
            <div>
              <dt>{t('tier')}</dt>
              <dd>{customer.tier}</dd>
            </div>
            <div>
              <dt>•••• </dt>
              <dd>{customer.cardNumber.slice(-4)}</dd>
            </div>
          </dl>
        )}
      </div>
      <form onSubmit={record} noValidate>
        <label>
          {t('amount')} ({props.ctx.program.currency})
          <input id="amount" inputMode="decimal" autoComplete="off" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} autoFocus />
        </label>
        <fieldset class="points" disabled={!maxPoints}>
          <legend>
            {t('payWithPoints')} {maxPoints !== null && <span data-testid="max-points">{t('upTo', { n: maxPoints })}</span>}
          </legend>
          {(['none', 'chosen', 'max'] as const).map((m) => (
            <label key={m} class="choice">
              <input type="radio" name="redeem" value={m} checked={mode === m} onChange={() => setMode(m)} />
              {t(m)}
            </label>
          ))}
          {mode === 'chosen' && <input id="points" inputMode="numeric" value={chosen} onInput={(e) => setChosen(e.currentTarget.value)} />}
        </fieldset>
        <button type="submit" class="primary" id="record" disabled={busy}>
          {t('record')}
        </button>
      </form>
    </section>
  );
}

function ResultScreen({
  t,
  result,
  onNext,
}: {
  t: T;
  result: { earned: number; redeemed: number; balance: number | null; queued: boolean };
  onNext: () => void;
}) {
  useEffect(() => {
    const back = setTimeout(onNext, 8000);
    return () => clearTimeout(back);
  }, []);
  if (result.queued)
    return (
      <section class="result">
        <p class="big-note" data-testid="queued">
          {t('queued')}
        </p>
        <button class="primary" onClick={onNext}>
          {t('next')}
        </button>
      </section>
    );
  return (
    <section class="result">
      <dl>
        <div>
          <dt>{t('earned')}</dt>
          <dd data-testid="earned">+{result.earned}</dd>
        </div>
        <div>
          <dt>{t('redeemed')}</dt>
          <dd data-testid="redeemed">−{result.redeemed}</dd>
        </div>
        <div class="total">
          <dt>{t('newBalance')}</dt>
          <dd data-testid="new-balance">{result.balance}</dd>
        </div>
      </dl>
      <button class="primary" id="next" onClick={onNext}>
        {t('next')}
      </button>
    </section>
  );
}

type TodayPurchase = { purchaseId: number; receiptId: string; at: string; amount: string; refunded: string; cardLast4: string; cashier: string | null };

function RefundScreen({ t, onProblem }: { t: T; onProblem: (text: string) => void }) {
  const [items, setItems] = useState<TodayPurchase[] | null>(null);
  const [picked, setPickedState] = useState<TodayPurchase | null>(null);
  // Each receipt's refund is its own operation: its own Idempotency-Key.
  const setPicked = (p: TodayPurchase | null) => {
    attempt.current = crypto.randomUUID();
    setManagers(null);
    setPickedState(p);
  };
  const [amount, setAmount] = useState('');
  const [done, setDone] = useState<{ refunded: string; pointsReturned: number; pointsTakenBack: number; balance: number } | null>(null);
  const attempt = useRef(crypto.randomUUID());
  // Above the program's limit a store manager approves with their PIN.
  const [managers, setManagers] = useState<{ id: string; name: string }[] | null>(null);
  const [manager, setManager] = useState('');
  const [pin, setPin] = useState('');
  const load = async () => setItems((await api.GET('/api/v1/pos/purchases').catch(() => null))?.data?.items ?? []);
  useEffect(() => void load(), []);

  const refund = async (e: Event) => {
    e.preventDefault();
    if (!picked) return;
    const value = amount.replace(',', '.').trim();
    try {
      const approval = managers && manager && pin ? { approval: { staffId: manager, pin } } : {};
      const res = await withKey(attempt.current, (params) =>
        api.POST('/api/v1/pos/refunds', { body: { receiptId: picked.receiptId, ...(value && { amount: value }), ...approval }, params }),
      );
      if (res.data) {
        setDone(res.data);
        attempt.current = crypto.randomUUID();
        setManagers(null);
        setPin('');
        void load();
      } else if (res.response.status === 403 && (res.error as { approvalRequired?: boolean } | undefined)?.approvalRequired) {
        const list = (await api.GET('/api/v1/pos/managers')).data?.items ?? [];
        setManagers(list);
        setManager((m) => m || list[0]?.id || '');
        setPin('');
        // The cashier's language, not the API's English detail.
        onProblem(t('managerApproval'));
      } else onProblem(problemText(res.error, t('error')));
    } catch {
      onProblem(t('needsNetwork'));
    }
  };

  if (done)
    return (
      <section class="result">
        <dl>
          <div>
            <dt>{t('refunded')}</dt>
            <dd data-testid="refunded">{done.refunded}</dd>
          </div>
          <div>
            <dt>{t('pointsBack')}</dt>
            <dd>{done.pointsReturned}</dd>
          </div>
          <div>
            <dt>{t('pointsTaken')}</dt>
            <dd>{done.pointsTakenBack}</dd>
          </div>
          <div class="total">
            <dt>{t('newBalance')}</dt>
            <dd>{done.balance}</dd>
          </div>
        </dl>
        <button class="primary" onClick={() => (setDone(null), setPicked(null))}>
          {t('back')}
        </button>
      </section>
    );
  if (picked)
    return (
      <section class="refund">
        <h2>
          {picked.amount} · •••• {picked.cardLast4}
        </h2>
        <form onSubmit={refund} noValidate>
          <label>
            {t('refundAmount')}
            <input id="refund-amount" inputMode="decimal" placeholder={picked.amount} value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
          </label>
          {managers && (
            <fieldset class="approval">
              <legend>{t('managerApproval')}</legend>
              <label>
                {t('manager')}
                <select id="manager" value={manager} onChange={(e) => setManager(e.currentTarget.value)}>
                  {managers.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('pin')}
                <input
                  id="manager-pin"
                  type="password"
                  inputMode="numeric"
                  autoComplete="off"
                  maxLength={8}
                  value={pin}
                  onInput={(e) => setPin(e.currentTarget.value)}
                />
              </label>
            </fieldset>
          )}
          <button type="submit" class="primary" id="do-refund">
            {amount ? t('refund') : t('refundAll')}
          </button>
          <button type="button" onClick={() => setPicked(null)}>
            {t('back')}
          </button>
        </form>
      </section>
    );
  return (
    <section class="refunds">
      <h2>{t('today')}</h2>
      {items?.length === 0 && <p>{t('nothingToday')}</p>}
      <ul class="purchases">
        {items?.map((p) => (
          <li key={p.purchaseId}>
            <button onClick={() => setPicked(p)} disabled={p.refunded === p.amount} data-receipt={p.receiptId}>
              <span>{new Date(p.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>
              <strong>{p.amount}</strong>
              <span>•••• {p.cardLast4}</span>
              <span>{p.cashier ?? ''}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function NewCardScreen(props: { t: T; ctx: Context; lang: Lang; onProblem: (text: string) => void; onCard: (cardNumber: string) => void }) {
  const { t, ctx } = props;
  const src = `/api/v1/programs/${encodeURIComponent(ctx.program.slug)}/qr.svg?store=${ctx.store.id}&src=till&size=480`;
  const [form, setForm] = useState({ name: '', phone: '', personalData: false, marketing: false });
  const [verificationId, setVerificationId] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ created: boolean; cardNumber: string; firstName: string; balance: number } | null>(null);

  const sendCode = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const res = await api
      .POST('/api/v1/pos/enrolments', { body: { name: form.name, phone: form.phone, personalData: true, marketing: form.marketing, lang: props.lang } })
      .catch(() => null)
      .finally(() => setBusy(false));
    if (res?.data) setVerificationId(res.data.verificationId);
    else props.onProblem(res ? problemText(res.error, t('error')) : t('needsNetwork'));
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    const res = await api
      .POST('/api/v1/pos/enrolments/{verificationId}/confirm', { params: { path: { verificationId: verificationId! } }, body: { code } })
      .catch(() => null);
    if (res?.data) setIssued(res.data);
    else props.onProblem(res ? problemText(res.error, t('error')) : t('needsNetwork'));
  };

  if (issued)
    return (
      <section class="result">
        <p class="big-note" data-testid="issued">
          {t(issued.created ? 'cardIssued' : 'cardExisting')}: {issued.firstName} · •••• {issued.cardNumber.slice(-4)}
        </p>
        <button class="primary" onClick={() => props.onCard(issued.cardNumber)}>
          {t('toPurchase')}
        </button>
      </section>
    );
  return (
    <section class="newcard">
      <img src={src} alt={ctx.program.name} width={320} height={320} data-testid="join-qr" />
      <p>{t('joinHint')}</p>
      <h2>{t('orByPhone')}</h2>
      {verificationId === null ? (
        <form onSubmit={sendCode} noValidate class="enrol">
          <label>
            {t('name')}
            <input id="new-name" autoComplete="off" value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </label>
          <label>
            {t('customerPhone')}
            <input id="new-phone" inputMode="tel" autoComplete="off" value={form.phone} onInput={(e) => setForm({ ...form, phone: e.currentTarget.value })} />
          </label>
          <label class="choice">
            <input type="checkbox" id="new-pd" checked={form.personalData} onChange={(e) => setForm({ ...form, personalData: e.currentTarget.checked })} />
            {t('consentPd')}
          </label>
          <label class="choice">
            <input type="checkbox" checked={form.marketing} onChange={(e) => setForm({ ...form, marketing: e.currentTarget.checked })} />
            {t('consentMk')}
          </label>
          <button type="submit" class="primary" id="send-code" disabled={busy || !form.personalData || !form.name || !form.phone}>
            {t('sendCode')}
          </button>
        </form>
      ) : (
        <form onSubmit={confirm} noValidate>
          <label>
            {t('codeFromSms')}
            <input id="new-code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" id="confirm-code">
            {t('confirmCode')}
          </button>
        </form>
      )}
    </section>
  );
}

render(<App />, document.getElementById('app')!);
