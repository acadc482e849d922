import type { Card, Program } from '../platform/db/schema.js';
import { html, raw, type Html } from '../platform/web/html.js';
import type { Lang } from '../platform/web/lang.js';
import { t } from './texts.js';

export interface JoinFormValues {
  name: string;
  phone: string;
  birthday: string;
  consentPersonal: boolean;
  consentMarketing: boolean;
}

export type JoinField = 'name' | 'phone' | 'birthday' | 'consentPersonal';

export interface JoinPageInput {
  lang: Lang;
  program: Program;
  action: string;
  values: JoinFormValues;
  errors: Partial<Record<JoinField, string>>;
  alert?: string | undefined;
  policyUrl: string;
  hidden: Record<string, string>;
}

export function joinPage(p: JoinPageInput): Html {
  const field = (name: JoinField, body: Html) =>
    html`<div class="field${p.errors[name] ? ' invalid' : ''}">${body}${
      p.errors[name] ? html`<div class="error" id="${name}-error" role="alert">${p.errors[name]}</div>` : ''
    }</div>`;
  const described = (name: JoinField, hint?: string) => [hint ? `${name}-hint` : '', p.errors[name] ? `${name}-error` : ''].filter(Boolean).join(' ');
  return html`<h1>${t(p.lang, 'joinTitle', { program: p.program.name })}</h1>
<p class="lead">${t(p.lang, 'joinLead')}</p>
${p.alert ? html`<div class="alert" role="alert">${p.alert}</div>` : ''}
<form method="post" action="${p.action}" novalidate>
${Object.entries(p.hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
${field(
  'name',
  html`<label for="name">${t(p.lang, 'name')}</label>
<input type="text" id="name" name="name" autocomplete="given-name" maxlength="60" required value="${p.values.name}" aria-describedby="${described('name')}">`,
)}
${field(
  'phone',
  html`<label for="phone">${t(p.lang, 'phone')}</label>
<input type="tel" id="phone" name="phone" inputmode="tel" autocomplete="tel" placeholder="+7 (___) ___-__-__" maxlength="30" required value="${p.values.phone}" aria-describedby="${described('phone', 'x')}">
<div class="hint" id="phone-hint">${t(p.lang, 'phoneHint')}</div>`,
)}
${field(
  'birthday',
  html`<label for="birthday">${t(p.lang, 'birthday')}</label>
<input type="date" id="birthday" name="birthday" autocomplete="bday" value="${p.values.birthday}" aria-describedby="${described('birthday', 'x')}">
<div class="hint" id="birthday-hint">${t(p.lang, 'birthdayHint')}</div>`,
)}
<div class="hp" aria-hidden="true"><label for="website">Website</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
${field(
  'consentPersonal',
  html`<label class="check"><input type="checkbox" name="consentPersonal" value="yes"${p.values.consentPersonal ? raw(' checked') : ''} required>
<span>${t(p.lang, 'consentPersonal')} (<a href="${p.policyUrl}" target="_blank" rel="noopener">${t(p.lang, 'policy')}</a>)</span></label>`,
)}
<div class="field"><label class="check"><input type="checkbox" name="consentMarketing" value="yes"${p.values.consentMarketing ? raw(' checked') : ''}>
<span>${t(p.lang, 'consentMarketing')}</span></label></div>
<button type="submit">${t(p.lang, 'submit')}</button>
</form>
<script src="/assets/phone-mask.js" defer></script>`;
}

export type Device = 'ios' | 'android' | 'desktop';

export function deviceOf(userAgent: string | undefined): Device {
  const ua = userAgent ?? '';
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  return 'desktop';
}

export interface CardPageInput {
  lang: Lang;
  program: Program;
  card: Card;
  firstName: string;
  device: Device;
  links: Record<string, string | null>;
  barcodeSvg: string;
  pageQrSvg: string;
  /** The customer's own marketing consent, and where the page posts a change of it. */
  marketing: boolean;
  marketingAction: string;
}

/** The personal card page: the card, its barcode, and the one wallet button this device needs. */
export function cardPage(p: CardPageInput): Html {
  const apple = p.links.apple ? html`<a class="wallet apple" href="${p.links.apple}">${t(p.lang, 'addApple')}</a>` : '';
  const google = p.links.google ? html`<a class="wallet google" href="${p.links.google}">${t(p.lang, 'saveGoogle')}</a>` : '';
  const buttons = p.device === 'ios' ? apple : p.device === 'android' ? google : html`${apple}${google}`;
  if (p.card.status === 'voided') return html`<h1>${t(p.lang, 'cardTitle', { program: p.program.name })}</h1><p class="alert">${t(p.lang, 'voided')}</p>`;
  return html`<h1>${t(p.lang, 'cardTitle', { program: p.program.name })}</h1>
<section class="card" aria-label="${p.program.name}">
<div class="program">${p.program.name}${p.firstName ? html` · ${p.firstName}` : ''}</div>
<p class="balance"><span data-testid="balance">${p.card.balance.toLocaleString(p.lang === 'ru' ? 'ru-RU' : 'en-GB')}</span> <small>${t(p.lang, 'points', { n: p.card.balance })}</small></p>
<dl><div><dt>${t(p.lang, 'tier')}</dt><dd data-testid="tier">${p.card.tier}</dd></div><div><dt>${t(p.lang, 'cardNumber')}</dt><dd>${p.card.card_number}</dd></div></dl>
</section>
<div class="wallet-buttons" data-device="${p.device}">${buttons}</div>
<div class="barcode" aria-label="${t(p.lang, 'showAtTill')}">${raw(p.barcodeSvg)}<div class="number">${p.card.card_number}</div><div class="hint">${t(p.lang, 'showAtTill')}</div></div>
${p.device === 'desktop' ? html`<div class="desktop-qr">${raw(p.pageQrSvg)}<p class="hint">${t(p.lang, 'scanOnPhone')}</p></div>` : ''}
<form method="post" action="${p.marketingAction}" class="consent"><p class="hint" data-testid="marketing">${t(p.lang, p.marketing ? 'marketingOn' : 'marketingOff')}</p>
<input type="hidden" name="marketing" value="${p.marketing ? 'no' : 'yes'}"><button type="submit" class="link">${t(p.lang, p.marketing ? 'marketingStop' : 'marketingStart')}</button></form>`;
}

export interface CodePageInput {
  lang: Lang;
  program: Program;
  action: string;
  resendAction: string;
  /** The number as the customer may recognise it, never in full. */
  maskedPhone: string;
  alert?: string | undefined;
  notice?: string | undefined;
}

/** The second step of joining: the code texted to the phone. */
export function codePage(p: CodePageInput): Html {
  return html`<h1>${t(p.lang, 'codeTitle')}</h1>
<p class="lead">${t(p.lang, 'codeLead', { phone: p.maskedPhone })}</p>
${p.alert ? html`<div class="alert" role="alert">${p.alert}</div>` : ''}${p.notice ? html`<p class="hint" role="status">${p.notice}</p>` : ''}
<form method="post" action="${p.action}" novalidate>
<div class="field"><label for="code">${t(p.lang, 'code')}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus></div>
<button type="submit" id="open-card">${t(p.lang, 'codeSubmit')}</button>
</form>
<form method="post" action="${p.resendAction}"><button type="submit" class="link">${t(p.lang, 'codeResend')}</button></form>`;
}

export function messagePage(title: string, text: string): Html {
  return html`<h1>${title}</h1><p>${text}</p>`;
}

export function policyPage(lang: Lang, program: Program): Html {
  return html`<h1>${t(lang, 'policyTitle')}</h1><p>${t(lang, 'policyText', { program: program.name })}</p>${program.terms ? html`<p>${program.terms}</p>` : ''}`;
}
