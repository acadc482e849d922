import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, problemText } from '../api/client.js';
import type { components, paths } from '../api/schema.js';
import { initialLang, tr, type Lang, type TextKey } from './i18n.js';
import './styles.css';

type Program = components['schemas']['Program'];
type Campaign = components['schemas']['Campaign'];
type Report = components['schemas']['AttributionReport'];
type LedgerEntry = NonNullable<paths['/api/v1/cards/{cardNumber}/transactions']['get']['responses'][200]['content']['application/json']['items']>[number];
type T = (key: TextKey, vars?: Record<string, string | number>) => string;
type Route =
  | { page: 'overview' }
  | { page: 'customers' }
  | { page: 'restock' }
  | { page: 'automations' }
  | { page: 'team' }
  | { page: 'customer'; cardNumber: string }
  | { page: 'campaigns' }
  | { page: 'new' }
  | { page: 'campaign'; id: string };

/** The message limit of a card (Apple's changeMessage and Google's message share it). */
const MAX_MESSAGE = 500;

function parseRoute(hash: string): Route {
  const [page, id] = hash.replace(/^#\/?/, '').split('/');
  if (page === 'customers' && id) return { page: 'customer', cardNumber: decodeURIComponent(id) };
  if (page === 'customers') return { page: 'customers' };
  if (page === 'campaigns' && id === 'new') return { page: 'new' };
  if (page === 'campaigns' && id) return { page: 'campaign', id };
  if (page === 'campaigns') return { page: 'campaigns' };
  if (page === 'restock') return { page: 'restock' };
  if (page === 'automations') return { page: 'automations' };
  if (page === 'team') return { page: 'team' };
  return { page: 'overview' };
}

/** Any answer of 401/403 to the console's first call means: not signed in (or not a marketer). */
const signIn = () => (location.href = '/login?next=/console');

function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const t: T = (key, vars) => tr(lang, key, vars);
  const [programs, setPrograms] = useState<Program[] | null>(null);
  const [slug, setSlug] = useState<string>(localStorage.getItem('console.program') ?? '');
  const [route, setRoute] = useState<Route>(parseRoute(location.hash));

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('title');
    localStorage.setItem('console.lang', lang);
  }, [lang]);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    void api.GET('/api/v1/programs').then((res) => {
      if (res.response.status === 401 || res.response.status === 403) return signIn();
      const items = res.data?.items ?? [];
      setPrograms(items);
      if (!items.some((p) => p.slug === slug)) setSlug(items[0]?.slug ?? '');
    });
  }, []);
  useEffect(() => {
    if (slug) localStorage.setItem('console.program', slug);
  }, [slug]);

  const program = programs?.find((p) => p.slug === slug);
  const nav = (page: string, key: TextKey) => (
    <a
      href={`#/${page}`}
      aria-current={route.page === page || (page === 'campaigns' && (route.page === 'new' || route.page === 'campaign')) ? 'page' : undefined}
    >
      {t(key)}
    </a>
  );
  return (
    <>
      <header>
        <strong>{t('title')}</strong>
        <nav>
          {nav('overview', 'overview')}
          {nav('customers', 'customers')}
          {nav('campaigns', 'campaigns')}
          {nav('automations', 'automations')}
          {nav('restock', 'restock')}
          {nav('team', 'team')}
        </nav>
        <label>
          <span class="visually-hidden">{t('program')}</span>
          <select id="program" value={slug} onChange={(e) => setSlug((e.target as HTMLSelectElement).value)}>
            {(programs ?? []).map((p) => (
              <option value={p.slug}>{p.name}</option>
            ))}
          </select>
        </label>
        <button type="button" class="link" onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')} lang={lang === 'ru' ? 'en' : 'ru'} title={t('otherLanguage')}>
          {lang === 'ru' ? 'EN' : 'RU'}
        </button>
        <form method="post" action="/logout">
          <button type="submit" class="link">
            {t('signOut')}
          </button>
        </form>
      </header>
      <main>
        {programs && !program ? (
          <p role="alert">{t('noPrograms')}</p>
        ) : !program ? (
          <p>{t('loading')}</p>
        ) : route.page === 'overview' ? (
          <Overview t={t} program={program} lang={lang} key={program.slug} />
        ) : route.page === 'customers' ? (
          <Customers t={t} program={program} key={program.slug} />
        ) : route.page === 'customer' ? (
          <CustomerPage t={t} cardNumber={route.cardNumber} />
        ) : route.page === 'campaigns' ? (
          <Campaigns t={t} program={program} key={program.slug} />
        ) : route.page === 'automations' ? (
          <Automations key={program.slug} t={t} program={program} onSaved={(p) => setPrograms((all) => (all ?? []).map((x) => (x.slug === p.slug ? p : x)))} />
        ) : route.page === 'team' ? (
          <Team t={t} program={program} key={program.slug} />
        ) : route.page === 'restock' ? (
          <Restock t={t} program={program} key={program.slug} />
        ) : route.page === 'new' ? (
          <Composer t={t} program={program} key={program.slug} />
        ) : (
          <CampaignPage t={t} id={route.id} />
        )}
      </main>
    </>
  );
}

/** A day in the program's time zone (its analytics are by local day). */
const localDay = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(d);

function Overview({ t, program, lang }: { t: T; program: Program; lang: Lang }) {
  const [from, setFrom] = useState(localDay(new Date(Date.now() - 29 * 86_400_000), program.timezone));
  const [to, setTo] = useState(localDay(new Date(), program.timezone));
  const [groupBy, setGroupBy] = useState<'day' | 'week' | 'month'>('day');
  const [data, setData] = useState<components['schemas']['ProgramAnalytics'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    setError(null);
    const res = await api.GET('/api/v1/programs/{slug}/analytics', { params: { path: { slug: program.slug }, query: { from, to, groupBy } } });
    if (res.data) setData(res.data);
    else setError(problemText(res.error, t('failed')));
  };
  useEffect(() => void load(), [program.slug]);
  const money = (v: string | null) => (v === null ? t('none') : `${Number(v).toLocaleString(lang)} ${program.currency}`);
  const totals = data?.totals;
  const tile = (key: TextKey, value: string | number, id: string) => (
    <div class="tile">
      <span>{t(key)}</span>
      <strong data-testid={id}>{value}</strong>
    </div>
  );
  const exportUrl = `/api/v1/programs/${encodeURIComponent(program.slug)}/analytics/export?${new URLSearchParams({ from, to, groupBy })}`;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('overview')}</h1>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          {t('from')} <input type="date" id="from" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('to')} <input type="date" id="to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('groupBy')}{' '}
          <select id="group-by" value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as typeof groupBy)}>
            <option value="day">{t('day')}</option>
            <option value="week">{t('week')}</option>
            <option value="month">{t('month')}</option>
          </select>
        </label>
        <button type="submit">{t('show')}</button>
        <a href={exportUrl} download>
          {t('exportCsv')}
        </a>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {totals && data && (
        <>
          <div class="tiles">
            {tile('cardsIssued', totals.cardsIssued.total, 'cards-issued')}
            {tile('inApple', totals.wallets.apple.atEnd, 'in-apple')}
            {tile('inGoogle', totals.wallets.google.atEnd, 'in-google')}
            {tile('activeCustomers', totals.activeCustomers, 'active-customers')}
            {tile('repeatRate', totals.repeatRate === null ? t('none') : `${Math.round(totals.repeatRate * 1000) / 10} %`, 'repeat-rate')}
            {tile('purchases', totals.purchases, 'purchases')}
            {tile('revenue', money(totals.revenue), 'revenue')}
            {tile('averageCheck', money(totals.averageCheck), 'average-check')}
            {tile('averageCheckWithout', money(totals.averageCheckWithoutCard), 'average-check-without')}
            {tile('liability', totals.points.liabilityAtEnd, 'liability')}
          </div>
          <Bars title={t('cardsIssued')} labels={data.series.map((s) => s.period)} values={data.series.map((s) => s.cardsIssued.total)} />
          <Bars title={t('purchases')} labels={data.series.map((s) => s.period)} values={data.series.map((s) => s.purchases)} />
          <Bars
            title={`${t('inApple')} / ${t('inGoogle')}`}
            labels={data.series.map((s) => s.period)}
            values={data.series.map((s) => s.wallets.apple.atEnd)}
            second={data.series.map((s) => s.wallets.google.atEnd)}
          />
        </>
      )}
    </section>
  );
}

/** A bar chart of one series (or two side by side), with a table for screen readers. */
function Bars({ title, labels, values, second }: { title: string; labels: string[]; values: number[]; second?: number[] }) {
  const max = Math.max(1, ...values, ...(second ?? []));
  const w = Math.max(320, labels.length * 24);
  const h = 120;
  const step = w / Math.max(1, labels.length);
  const bar = second ? step / 3 : step * 0.6;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h + 16}`} aria-hidden="true" preserveAspectRatio="none">
        {values.map((v, i) => (
          <rect x={i * step + (step - (second ? 2 * bar : bar)) / 2} y={h - (v / max) * h} width={bar} height={(v / max) * h} class="a">
            <title>{`${labels[i]}: ${v}`}</title>
          </rect>
        ))}
        {second?.map((v, i) => (
          <rect x={i * step + (step - 2 * bar) / 2 + bar} y={h - (v / max) * h} width={bar} height={(v / max) * h} class="b">
            <title>{`${labels[i]}: ${v}`}</title>
          </rect>
        ))}
        <text x="0" y={h + 14}>
          {labels[0]}
        </text>
        <text x={w} y={h + 14} text-anchor="end">
          {labels[labels.length - 1]}
        </text>
      </svg>
      <table class="visually-hidden">
        <caption>{title}</caption>
        <tbody>
          {labels.map((label, i) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{values[i]}</td>
              {second && <td>{second[i]}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function Customers({ t, program }: { t: T; program: Program }) {
  const [q, setQ] = useState('');
  /** The query the shown list answers: "more" pages it, whatever the box holds since. */
  const [shown, setShown] = useState('');
  const [items, setItems] = useState<components['schemas']['CardSummary'][] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = async (cursor?: string) => {
    setError(null);
    const text = cursor ? shown : q.trim();
    const res = await api.GET('/api/v1/cards', {
      params: { query: { program: program.slug, ...(text && { q: text }), limit: 25, ...(cursor && { cursor }) } },
    });
    if (!res.data) return setError(problemText(res.error, t('failed')));
    setShown(text);
    setItems(cursor ? [...(items ?? []), ...res.data.items] : res.data.items);
    setNext(res.data.nextCursor);
  };
  useEffect(() => void search(), [program.slug]);
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">{t('customers')}</h1>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label class="grow">
          <span class="visually-hidden">{t('search')}</span>
          <input id="search" type="search" placeholder={t('search')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{t('find')}</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p>{t('nobody')}</p>}
      {items && items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('card')}</th>
              <th>{t('name')}</th>
              <th>{t('phone')}</th>
              <th>{t('tier')}</th>
              <th class="num">{t('balance')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr data-testid="customer-row">
                <td>
                  <a href={`#/customers/${c.cardNumber}`}>{c.cardNumber}</a>
                </td>
                <td>{c.customer.name ?? t('none')}</td>
                <td>{c.customer.phone ?? t('none')}</td>
                <td>{c.tier}</td>
                <td class="num">{c.balance}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={() => void search(next)}>
          {t('more')}
        </button>
      )}
    </section>
  );
}

function CustomerPage({ t, cardNumber }: { t: T; cardNumber: string }) {
  const [card, setCard] = useState<components['schemas']['Card'] | null>(null);
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [text, setText] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const load = async () => {
    const [c, tx] = await Promise.all([
      api.GET('/api/v1/cards/{cardNumber}', { params: { path: { cardNumber } } }),
      api.GET('/api/v1/cards/{cardNumber}/transactions', { params: { path: { cardNumber } } }),
    ]);
    if (!c.data) return setError(problemText(c.error, t('failed')));
    setCard(c.data);
    setEntries(tx.data?.items ?? []);
  };
  useEffect(() => void load(), [cardNumber]);
  if (!card) return error ? <p role="alert">{error}</p> : <p>{t('loading')}</p>;
  const setStatus = async (status: 'active' | 'blocked') => {
    const res = await api.PATCH('/api/v1/cards/{cardNumber}', { params: { path: { cardNumber } }, body: { status } });
    if (res.error) setError(problemText(res.error, t('failed')));
    await load();
  };
  const message = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const res = await api.POST('/api/v1/cards/{cardNumber}/message', { params: { path: { cardNumber } }, body: { text } });
    if (res.error) return setError(problemText(res.error, t('failed')));
    setText('');
    setNotice(t('messageSet'));
    await load();
  };
  // A new personal link (and pass): the old one, perhaps forwarded or leaked, stops working at once.
  const revoke = async () => {
    if (!confirm(t('revokeConfirm'))) return;
    const res = await api.POST('/api/v1/cards/{cardNumber}/link/revoke', { params: { path: { cardNumber } }, body: { pass: true } });
    if (res.error) return setError(problemText(res.error, t('failed')));
    setNotice(t('revoked'));
    await load();
  };
  const adjust = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const res = await api.POST('/api/v1/cards/{cardNumber}/points', {
      params: { path: { cardNumber }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      body: { points: Number(points), reason },
    });
    if (res.error) return setError(problemText(res.error, t('failed')));
    setPoints('');
    setReason('');
    await load();
  };
  return (
    <section aria-labelledby="customer-title">
      <a href="#/customers">← {t('back')}</a>
      <h1 id="customer-title">{card.customer?.name ?? card.cardNumber}</h1>
      <dl class="facts">
        <dt>{t('card')}</dt>
        <dd>{card.cardNumber}</dd>
        <dt>{t('phone')}</dt>
        <dd>{card.customer?.phone ?? t('none')}</dd>
        <dt>{t('tier')}</dt>
        <dd>{card.tier}</dd>
        <dt>{t('balance')}</dt>
        <dd data-testid="card-balance">{card.balance}</dd>
        <dt>{t('status')}</dt>
        <dd>{card.status}</dd>
        <dt>{t('cardMessage')}</dt>
        <dd data-testid="card-message-now">{card.message ?? t('none')}</dd>
      </dl>
      <div class="row">
        <button type="button" onClick={() => void setStatus(card.status === 'blocked' ? 'active' : 'blocked')}>
          {card.status === 'blocked' ? t('unblock') : t('block')}
        </button>
        <button type="button" id="revoke" onClick={() => void revoke()}>
          {t('revoke')}
        </button>
      </div>
      <form class="row" onSubmit={message} aria-label={t('messageCard')}>
        <label class="grow">
          {t('messageCard')}{' '}
          <input id="card-message" required maxLength={MAX_MESSAGE} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{t('send')}</button>
      </form>
      {notice && (
        <p role="status" data-testid="customer-notice">
          {notice}
        </p>
      )}
      <form class="row" onSubmit={adjust} aria-label={t('grant')}>
        <label>
          {t('points')} <input id="points" type="number" required value={points} onInput={(e) => setPoints((e.target as HTMLInputElement).value)} />
        </label>
        <label class="grow">
          {t('reason')} <input id="reason" required maxLength={300} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{t('apply')}</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <h2 id="history">{t('history')}</h2>
      <table aria-labelledby="history">
        <thead>
          <tr>
            <th>{t('when')}</th>
            <th>{t('kind')}</th>
            <th class="num">{t('points')}</th>
            <th>{t('reason')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr>
              <td>{new Date(e.createdAt).toLocaleString()}</td>
              <td>{e.kind}</td>
              <td class="num">{e.points > 0 ? `+${e.points}` : e.points}</td>
              <td>{e.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const statusKey: Record<Campaign['status'], TextKey> = {
  scheduled: 'statusScheduled',
  running: 'statusRunning',
  completed: 'statusCompleted',
  cancelled: 'statusCancelled',
};

function Campaigns({ t, program }: { t: T; program: Program }) {
  const [items, setItems] = useState<Campaign[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (cursor?: string) => {
    const res = await api.GET('/api/v1/campaigns', { params: { query: { program: program.slug, limit: 25, ...(cursor && { cursor }) } } });
    if (!res.data) return setError(problemText(res.error, t('failed')));
    const page = res.data;
    setItems((before) => (cursor ? [...before, ...page.items] : page.items));
    setNext(page.nextCursor);
  };
  useEffect(() => void load(), [program.slug]);
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">{t('campaigns')}</h1>
      <p>
        <a class="button" href="#/campaigns/new">
          {t('newCampaign')}
        </a>
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('message')}</th>
              <th>{t('status')}</th>
              <th class="num">{t('targeted')}</th>
              <th class="num">{t('sent')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr data-testid="campaign-row">
                <td>
                  <a href={`#/campaigns/${c.id}`}>{c.message.slice(0, 80)}</a>
                </td>
                <td>{t(statusKey[c.status])}</td>
                <td class="num">{c.counts.targeted}</td>
                <td class="num">{c.counts.sent}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          {t('more')}
        </button>
      )}
    </section>
  );
}

function Composer({ t, program }: { t: T; program: Program }) {
  const [message, setMessage] = useState('');
  const [tier, setTier] = useState('');
  const [activeWithin, setActiveWithin] = useState('');
  const [inApple, setInApple] = useState(false);
  const [holdout, setHoldout] = useState('0');
  const [bonus, setBonus] = useState('0');
  const [count, setCount] = useState<{ count: number; withoutConsent: number } | null>(null);
  const [testCard, setTestCard] = useState(localStorage.getItem('console.testCard') ?? '');
  const [testNotice, setTestNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const audience = {
    ...(tier && { tiers: [tier] }),
    ...(Number(activeWithin) > 0 && { activeWithinDays: Number(activeWithin) }),
    ...(inApple && { inAppleWallet: true }),
  };
  const key = JSON.stringify(audience);
  // The count follows the conditions as they change (debounced: one preview per pause in typing).
  useEffect(() => {
    const timer = setTimeout(() => {
      void api.POST('/api/v1/segments/preview', { body: { program: program.slug, audience } }).then((res) => {
        if (res.data) setCount({ count: res.data.count, withoutConsent: res.data.withoutConsent });
      });
    }, 250);
    return () => clearTimeout(timer);
  }, [key, program.slug]);
  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const res = await api.POST('/api/v1/campaigns', {
      body: { program: program.slug, message, audience, holdoutPercent: Number(holdout), bonusPoints: Number(bonus) },
    });
    if (!res.data) return setError(problemText(res.error, t('failed')));
    location.hash = `#/campaigns/${res.data.id}`;
  };
  // The message on one card first (the marketer's own): its lock screen shows what the audience will see.
  const sendTest = async () => {
    setTestNotice(null);
    const cardNumber = testCard.replace(/\s/g, '');
    const card = await api.GET('/api/v1/cards/{cardNumber}', { params: { path: { cardNumber } } });
    if (!card.data) return setTestNotice(problemText(card.error, t('failed')));
    // Filled as the campaign fills them per card: the first name, the bonus.
    const text = message
      .replaceAll('{name}', (card.data.customer?.name ?? '').trim().split(/\s+/)[0] ?? '')
      .replaceAll('{points}', String(Number(bonus) || 0))
      .replaceAll('{date}', '');
    const res = await api.POST('/api/v1/cards/{cardNumber}/message', { params: { path: { cardNumber } }, body: { text } });
    if (res.error) return setTestNotice(problemText(res.error, t('failed')));
    localStorage.setItem('console.testCard', cardNumber);
    setTestNotice(t('testSent', { card: cardNumber }));
  };
  const tiers = program.tiers;
  return (
    <section aria-labelledby="composer-title">
      <a href="#/campaigns">← {t('back')}</a>
      <h1 id="composer-title">{t('newCampaign')}</h1>
      <form onSubmit={send} class="composer">
        <fieldset>
          <legend>{t('audience')}</legend>
          <label>
            {t('tier')}{' '}
            <select id="tier" value={tier} onChange={(e) => setTier((e.target as HTMLSelectElement).value)}>
              <option value="">{t('anyTier')}</option>
              {tiers.map((x) => (
                <option value={x.name}>{x.name}</option>
              ))}
            </select>
          </label>
          <label>
            {t('activeWithin')}{' '}
            <input id="active-within" type="number" min="1" value={activeWithin} onInput={(e) => setActiveWithin((e.target as HTMLInputElement).value)} />
          </label>
          <label class="check">
            <input id="in-apple" type="checkbox" checked={inApple} onChange={(e) => setInApple((e.target as HTMLInputElement).checked)} /> {t('inAppleWallet')}
          </label>
          <p aria-live="polite" data-testid="audience-count">
            {count ? t('recipients', { n: count.count, w: count.withoutConsent }) : t('loading')}
          </p>
        </fieldset>
        <label>
          {t('message')}
          <textarea
            id="message"
            required
            maxLength={MAX_MESSAGE}
            rows={3}
            value={message}
            onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
          />
          <small>{t('chars', { n: message.length, max: MAX_MESSAGE })}</small>
        </label>
        <div class="lock" role="group" aria-label={t('lockScreen')}>
          <span>{program.name}</span>
          <p>{message || '…'}</p>
        </div>
        <div class="row">
          <label>
            {t('holdout')}{' '}
            <input id="holdout" type="number" required min="0" max="90" value={holdout} onInput={(e) => setHoldout((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            {t('bonus')}{' '}
            <input id="bonus" type="number" required min="0" max="1000000" value={bonus} onInput={(e) => setBonus((e.target as HTMLInputElement).value)} />
          </label>
        </div>
        <div class="row">
          <label>
            {t('testCard')} <input id="test-card" inputMode="numeric" value={testCard} onInput={(e) => setTestCard((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" id="send-test" disabled={!message.trim() || !testCard.trim()} onClick={() => void sendTest()}>
            {t('sendTest')}
          </button>
          {testNotice && (
            <span role="status" data-testid="test-notice">
              {testNotice}
            </span>
          )}
        </div>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" id="send">
          {t('send')}
        </button>
      </form>
    </section>
  );
}

function CampaignPage({ t, id }: { t: T; id: string }) {
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  useEffect(() => {
    let stop = false;
    // A campaign that is still going out is read again until it completes.
    const load = async () => {
      const [c, r] = await Promise.all([
        api.GET('/api/v1/campaigns/{id}', { params: { path: { id } } }),
        api.GET('/api/v1/campaigns/{id}/report', { params: { path: { id } } }),
      ]);
      if (stop) return;
      if (c.data) setCampaign(c.data);
      if (r.data) setReport(r.data);
      if (c.data && (c.data.status === 'running' || c.data.status === 'scheduled')) setTimeout(() => void load(), 1000);
    };
    void load();
    return () => {
      stop = true;
    };
  }, [id]);
  if (!campaign) return <p>{t('loading')}</p>;
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? t('none') : `${Math.round(x * 1000) / 10} %`);
  return (
    <section aria-labelledby="campaign-title">
      <a href="#/campaigns">← {t('back')}</a>
      <h1 id="campaign-title">{campaign.message}</h1>
      <dl class="facts">
        <dt>{t('status')}</dt>
        <dd data-testid="campaign-status">{t(statusKey[campaign.status])}</dd>
        <dt>{t('targeted')}</dt>
        <dd data-testid="campaign-targeted">{campaign.counts.targeted}</dd>
        <dt>{t('sent')}</dt>
        <dd data-testid="campaign-sent">{campaign.counts.sent}</dd>
        <dt>{t('delivered')}: Apple</dt>
        <dd data-testid="delivered-apple">{report?.delivered?.appleDevice ?? 0}</dd>
        <dt>{t('delivered')}: Google</dt>
        <dd>{report?.delivered?.googleNotified ?? 0}</dd>
        <dt>{t('holdoutGroup')}</dt>
        <dd>{campaign.counts.holdout}</dd>
        <dt>
          {t('conversion')} ({t('recipientsGroup')})
        </dt>
        <dd data-testid="conversion-recipients">{pct(report?.conversion?.recipients?.conversionRate)}</dd>
        <dt>
          {t('conversion')} ({t('holdoutGroup')})
        </dt>
        <dd>{pct(report?.conversion?.holdout?.conversionRate)}</dd>
        <dt>{t('uplift')}</dt>
        <dd>
          {report?.conversion?.uplift
            ? `${pct(report.conversion.uplift.value)} (${pct(report.conversion.uplift.low)} … ${pct(report.conversion.uplift.high)})`
            : t('none')}
        </dd>
      </dl>
    </section>
  );
}

type AutomationKind = 'birthday' | 'points-reminder';

/** Birthday and points-expiry messages: their settings (on, off, text, timing, holdout) and each month's report. */
function Automations({ t, program, onSaved }: { t: T; program: Program; onSaved: (p: Program) => void }) {
  return (
    <section aria-labelledby="automations-title">
      <h1 id="automations-title">{t('automations')}</h1>
      <AutomationCard t={t} program={program} kind="birthday" onSaved={onSaved} />
      <AutomationCard t={t} program={program} kind="points-reminder" onSaved={onSaved} />
    </section>
  );
}

function AutomationCard({ t, program, kind, onSaved }: { t: T; program: Program; kind: AutomationKind; onSaved: (p: Program) => void }) {
  const current = kind === 'birthday' ? program.birthdayAutomation : program.pointsReminder;
  const [on, setOn] = useState(current !== null);
  const [text, setText] = useState(current?.text ?? '');
  const [daysBefore, setDaysBefore] = useState(String(current?.daysBefore ?? (kind === 'birthday' ? 0 : 14)));
  const [sendHour, setSendHour] = useState(String(current?.sendHour ?? (kind === 'birthday' ? 10 : 11)));
  const [bonus, setBonus] = useState(String((program.birthdayAutomation && kind === 'birthday' && program.birthdayAutomation.bonusPoints) || 0));
  const [holdout, setHoldout] = useState(String(current?.holdoutPercent ?? 0));
  const [notice, setNotice] = useState<string | null>(null);
  const [month, setMonth] = useState(localDay(new Date(), program.timezone).slice(0, 7));
  const [report, setReport] = useState<Report | null>(null);
  const id = (name: string) => `${kind}-${name}`;
  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    const path = { slug: program.slug };
    const common = { text, daysBefore: Number(daysBefore), sendHour: Number(sendHour), holdoutPercent: Number(holdout) };
    const res = !on
      ? kind === 'birthday'
        ? await api.DELETE('/api/v1/programs/{slug}/automations/birthday', { params: { path } })
        : await api.DELETE('/api/v1/programs/{slug}/automations/points-reminder', { params: { path } })
      : kind === 'birthday'
        ? await api.PUT('/api/v1/programs/{slug}/automations/birthday', { params: { path }, body: { ...common, bonusPoints: Number(bonus) } })
        : await api.PUT('/api/v1/programs/{slug}/automations/points-reminder', { params: { path }, body: common });
    if (!res.data) return setNotice(problemText(res.error, t('failed')));
    onSaved(res.data);
    setNotice(t('saved'));
  };
  useEffect(() => {
    void api
      .GET('/api/v1/programs/{slug}/automations/{kind}/report', { params: { path: { slug: program.slug, kind }, query: { month } } })
      .then((res) => setReport(res.data ?? null));
  }, [program.slug, kind, month]);
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? t('none') : `${Math.round(x * 1000) / 10} %`);
  return (
    <form class="composer card" onSubmit={save} aria-labelledby={id('title')} data-testid={`automation-${kind}`}>
      <h2 id={id('title')}>{t(kind === 'birthday' ? 'birthday' : 'pointsReminder')}</h2>
      <label class="check">
        <input id={id('on')} type="checkbox" checked={on} onChange={(e) => setOn((e.target as HTMLInputElement).checked)} /> {t('enabled')}
      </label>
      <label>
        {t('message')}
        <textarea
          id={id('text')}
          required={on}
          maxLength={MAX_MESSAGE}
          rows={2}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="row">
        <label>
          {t(kind === 'birthday' ? 'daysBeforeBirthday' : 'daysBeforeExpiry')}{' '}
          <input
            id={id('days')}
            type="number"
            required
            min={kind === 'birthday' ? 0 : 1}
            max={kind === 'birthday' ? 30 : 90}
            value={daysBefore}
            onInput={(e) => setDaysBefore((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('sendHour')}{' '}
          <input id={id('hour')} type="number" required min="0" max="23" value={sendHour} onInput={(e) => setSendHour((e.target as HTMLInputElement).value)} />
        </label>
        {kind === 'birthday' && (
          <label>
            {t('bonus')}{' '}
            <input
              id={id('bonus')}
              type="number"
              required
              min="0"
              max="1000000"
              value={bonus}
              onInput={(e) => setBonus((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        <label>
          {t('holdout')}{' '}
          <input id={id('holdout')} type="number" required min="0" max="90" value={holdout} onInput={(e) => setHoldout((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <div class="row">
        <button type="submit" id={id('save')}>
          {t('save')}
        </button>
        {notice && (
          <span role="status" data-testid={id('notice')}>
            {notice}
          </span>
        )}
      </div>
      <div class="row">
        <label>
          {t('reportMonth')} <input id={id('month')} type="month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <dl class="facts">
        <dt>{t('recipientsGroup')}</dt>
        <dd data-testid={id('recipients')}>{report?.recipients ?? 0}</dd>
        <dt>{t('holdoutGroup')}</dt>
        <dd>{report?.holdout ?? 0}</dd>
        <dt>{t('conversion')}</dt>
        <dd>
          {pct(report?.conversion.recipients.conversionRate)} / {pct(report?.conversion.holdout.conversionRate)}
        </dd>
        <dt>{t('uplift')}</dt>
        <dd>
          {report?.conversion.uplift
            ? `${pct(report.conversion.uplift.value)} (${pct(report.conversion.uplift.low)} … ${pct(report.conversion.uplift.high)})`
            : t('none')}
        </dd>
      </dl>
    </form>
  );
}

type Staff = components['schemas']['Staff'];
type ApiKey = components['schemas']['ApiKey'];
type StaffRole = Staff['role'];

/** The brand's people and keys (for admins: a marketer's call is refused, and the page says so). */
function Team({ t, program }: { t: T; program: Program }) {
  const [staff, setStaff] = useState<Staff[]>([]);
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ url: string; emailed: boolean } | null>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<StaffRole>('marketer');
  const load = async () => {
    const [s, k] = await Promise.all([api.GET('/api/v1/staff'), api.GET('/api/v1/api-keys')]);
    if (!s.data) return setError(problemText(s.error, t('failed')));
    setStaff(s.data.items);
    setKeys((k.data?.items ?? []).filter((key) => !key.revokedAt));
  };
  useEffect(() => void load(), []);
  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setInvite(null);
    // A brand admin works for the whole brand; a marketer for the program chosen above.
    const res = await api.POST('/api/v1/staff', { body: { email, name, role, ...(role === 'marketer' && { programs: [program.slug] }) } });
    if (!res.data) return setError(problemText(res.error, t('failed')));
    const invitation = res.data.invitation;
    setEmail('');
    setName('');
    await load();
    setInvite({ url: invitation.url, emailed: invitation.emailed });
  };
  const revoke = async (person: Staff) => {
    if (!confirm(t('revokeStaffConfirm', { name: person.name }))) return;
    const res = await api.DELETE('/api/v1/staff/{id}', { params: { path: { id: person.id } } });
    if (res.error) setError(problemText(res.error, t('failed')));
    await load();
  };
  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">{t('team')}</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <form class="row" onSubmit={send} aria-label={t('invite')}>
        <label>
          {t('email')} <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('name')} <input id="invite-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('role')}{' '}
          <select id="invite-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as StaffRole)}>
            <option value="marketer">{t('roleMarketerOf', { program: program.name })}</option>
            <option value="brand_admin">{t('roleAdmin')}</option>
          </select>
        </label>
        <button type="submit">{t('invite')}</button>
      </form>
      {invite && (
        <p role="status" data-testid="invitation">
          {invite.emailed ? t('invitationEmailed') : t('invitationLink')} <code>{invite.url}</code>
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>{t('name')}</th>
            <th>{t('email')}</th>
            <th>{t('role')}</th>
            <th>{t('status')}</th>
            <th>
              <span class="visually-hidden">{t('revokeStaff')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {staff.map((p) => (
            <tr data-testid="staff-row">
              <td>{p.name}</td>
              <td>{p.email}</td>
              <td>{p.role}</td>
              <td>{p.status}</td>
              <td>
                {p.status !== 'revoked' && (
                  <button type="button" onClick={() => void revoke(p)}>
                    {t('revokeStaff')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('apiKeys')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('name')}</th>
            <th>{t('role')}</th>
            <th>{t('keyPrefix')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr>
              <td>{k.name}</td>
              <td>{k.role}</td>
              <td>
                <code>{k.keyPrefix}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

type RestockGroup = components['schemas']['RestockGroup'];

/** Open back-in-stock subscriptions by item, size and store; "It's back" notifies that group. */
function Restock({ t, program }: { t: T; program: Program }) {
  const [groups, setGroups] = useState<RestockGroup[] | null>(null);
  const [stores, setStores] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const load = async () => {
    const [g, st] = await Promise.all([
      api.GET('/api/v1/restock-subscriptions/summary', { params: { query: { program: program.slug } } }),
      api.GET('/api/v1/stores', { params: { query: { program: program.slug } } }),
    ]);
    setGroups(g.data?.items ?? []);
    setStores(Object.fromEntries((st.data?.items ?? []).map((x) => [x.id, x.name])));
  };
  useEffect(() => void load(), [program.slug]);
  const back = async (g: RestockGroup) => {
    setNotice(null);
    const res = await api.POST('/api/v1/restocks', { body: { program: program.slug, sku: g.sku, size: g.size, storeId: g.storeId } });
    // The list first, then the notice: what the notice says is already shown.
    await load();
    setNotice(res.data ? t('notified', { n: res.data.notified }) : problemText(res.error, t('failed')));
  };
  return (
    <section aria-labelledby="restock-title">
      <h1 id="restock-title">{t('restock')}</h1>
      {notice && (
        <p role="status" data-testid="restock-notice">
          {notice}
        </p>
      )}
      {groups && groups.length === 0 && <p>{t('noSubscriptions')}</p>}
      {groups && groups.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('item')}</th>
              <th>{t('size')}</th>
              <th>{t('store')}</th>
              <th class="num">{t('waiting')}</th>
              <th>
                <span class="visually-hidden">{t('itsBack')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr data-testid="restock-row">
                <td>
                  {g.title} <small>{g.sku}</small>
                </td>
                <td>{g.size ?? t('anySize')}</td>
                <td>{g.storeId ? (stores[g.storeId] ?? g.storeId) : t('anyStore')}</td>
                <td class="num">{g.open}</td>
                <td>
                  <button type="button" onClick={() => void back(g)}>
                    {t('itsBack')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

render(<App />, document.getElementById('app')!);
