/** The card number's check digit (Luhn), checked before any request: a typo never reaches the till API. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{8,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
