/**
 * Python's `round(x, ndigits)` for a float and ndigits ≥ 0: the decimal nearest the exact binary
 * value of `x`, ties to even (CPython rounds the exact value with `_Py_dg_dtoa`), read back as a
 * float. JS's `toFixed` rounds the exact value too but breaks ties away from zero, so an exact tie
 * (`round(0.125, 2)` is 0.12) is settled here from the exact expansion.
 */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isInteger(ndigits) || ndigits < 0 || ndigits > 99) throw new RangeError(`Expected \`ndigits\` to be an integer in [0, 99], got ${ndigits}`);
  if (!Number.isFinite(x) || x === 0 || Math.abs(x) >= 1e21) return x;
  const a = Math.abs(x);
  let text = a.toFixed(ndigits);
  // An exact tie has exactly ndigits + 1 decimals, the last a 5: toFixed(100) shows the exact expansion that far.
  const exact = a.toFixed(100);
  const frac = exact.slice(exact.indexOf(".") + 1);
  if (frac[ndigits] === "5" && /^0*$/.test(frac.slice(ndigits + 1))) {
    const down = exact.slice(0, exact.indexOf(".") + (ndigits > 0 ? ndigits + 1 : 0));
    if (Number(down.at(-1)) % 2 === 0) text = down;
  }
  return x < 0 ? -Number(text) : Number(text);
}
