// Progressive enhancement only: the server normalises whatever is typed. Formats Russian numbers
// as +7 (916) 123-45-67 while typing; leaves any other country's number as typed.
(function () {
  var input = document.querySelector('input[name="phone"]');
  if (!input) return;
  input.addEventListener('input', function () {
    var digits = input.value.replace(/\D/g, '');
    if (!/^[78]/.test(digits) || input.value.trim().startsWith('+') && !input.value.trim().startsWith('+7')) return;
    digits = '7' + digits.slice(1, 11);
    var p = '+7';
    if (digits.length > 1) p += ' (' + digits.slice(1, 4);
    if (digits.length >= 4) p += ') ' + digits.slice(4, 7);
    if (digits.length >= 7) p += '-' + digits.slice(7, 9);
    if (digits.length >= 9) p += '-' + digits.slice(9, 11);
    input.value = p;
  });
})();
