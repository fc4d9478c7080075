import { seededRandom } from "@labelbench/geometry";
import { describe, expect, it } from "vitest";
import { ByteChunks } from "../byte-chunks.js";
import { round6 } from "../numbers.js";
import { decodeUtf8 } from "../utf8.js";
import {
  type Decimal,
  newDecimal,
  scanNumber,
  writeDifference,
  writeProduct,
  writeSum,
  writeValue,
} from "./decimal.js";

/** What a writer writes, as text. */
const written = (write: (w: ByteChunks) => void): string => {
  const w = new ByteChunks(64);
  w.reserve(64);
  write(w);
  return decodeUtf8(w.rest());
};
const sumText = (a: Decimal, b: Decimal, v: number) => written((w) => writeSum(w, a, b, v));
const differenceText = (a: Decimal, b: Decimal, v: number) => written((w) => writeDifference(w, a, b, v));
const productText = (a: Decimal, b: Decimal, v: number) => written((w) => writeProduct(w, a, b, v));
const valueText = (a: Decimal) => written((w) => writeValue(w, a));

const rng = seededRandom;

/** Coordinates as stored: few decimals mostly, and every other form JSON.stringify prints. */
const numberOf = (r: () => number): number => storedForm(anyNumber(r));
/** What a stored coordinate reads back as: JSON has no -0. */
const storedForm = (v: number) => v + 0;
const anyNumber = (r: () => number): number => {
  const v = (r() - 0.3) * 5000;
  switch (Math.floor(r() * 8)) {
    case 0:
      return Math.round(v);
    case 1:
      return Math.round(v * 100) / 100;
    case 2:
      return Math.round(v * 10 ** Math.floor(r() * 8)) / 10 ** Math.floor(r() * 8);
    case 3:
      return v; // a full double: 16-17 digits
    case 4:
      return (r() - 0.5) * 1e-5; // around the exponent threshold
    case 5:
      return Number(v.toPrecision(1 + Math.floor(r() * 16)));
    case 6:
      return Math.round(r() * 1e15) * 10 ** (Math.floor(r() * 10) - 5); // 15-16 digit mantissas
    default:
      return 0;
  }
};

const read = (v: number) => {
  const text = JSON.stringify(v);
  const d = newDecimal();
  const end = scanNumber(`${text},`, 0, d);
  if (end !== text.length || !Object.is(d.value, v)) throw new Error(`read ${text} as ${d.value} to ${end}`);
  return d;
};

describe("derived COCO numbers printed from their digits", () => {
  it("read back exactly as Number() does", () => {
    const r = rng(1);
    for (let i = 0; i < 50_000; i++) read(numberOf(r));
    const d = newDecimal();
    expect(scanNumber('x:-12.5,"', 2, d)).toBe(7);
    expect([d.value, d.mantissa, d.decimals, d.exact]).toEqual([-12.5, -125, 1, true]);
    expect(scanNumber("1.5e-7]", 0, d)).toBe(6);
    expect([d.value, d.exact]).toEqual([1.5e-7, false]);
    expect(scanNumber("12345678901234567890,", 0, d)).toBe(20);
    expect([d.value, d.exact]).toEqual([12345678901234567000, false]);
  });

  it("refuses numbers JSON.stringify would not write", () => {
    const d = newDecimal();
    for (const text of ["-0,", "1.50,", "1.,", ".5,", "+1,", "e5,", "1e5,", "1e+05,", "x,", "-,"])
      expect(scanNumber(text, 0, d), text).toBe(-1);
    // A number ends where its grammar does; the caller checks what follows ("01" stops after "0").
    expect(scanNumber("01,", 0, d)).toBe(1);
    expect(scanNumber("1E+5,", 0, d)).toBe(1);
    expect(scanNumber("-0.25,", 0, d)).toBe(5);
  });

  it("print sums, differences, rounded products and values exactly as String() does", () => {
    const r = rng(2);
    let shortcuts = 0;
    const wrong: string[] = [];
    const check = (what: string, got: string, want: string) => {
      if (got !== want) wrong.push(`${what}: ${got} instead of ${want}`);
    };
    for (let i = 0; i < 100_000; i++) {
      const a = numberOf(r);
      const b = numberOf(r);
      const da = read(a);
      const db = read(b);
      check(`${a} + ${b}`, sumText(da, db, a + b), String(a + b));
      check(`${a} - ${b}`, differenceText(da, db, round6(a - b)), String(round6(a - b)));
      check(`${a} * ${b}`, productText(da, db, round6(a * b)), String(round6(a * b)));
      check(`${a}`, valueText(da), String(a));
      if (da.exact && db.exact) shortcuts++;
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // Most cases took the digit path, so it is what the comparison above checked.
    expect(shortcuts).toBeGreaterThan(30_000);
  });

  it("prints the cases a digit printer gets wrong: zeros, leading zeros, signs, 1e-6 and float noise", () => {
    const cases: [number, number][] = [
      [0.1, 0.2], // 0.30000000000000004
      [661.21, 137.87],
      [0.000001, 0],
      [0.0000012, 0.000001], // a difference of 2e-7: exponent notation
      [0.0000005, 0.0000005],
      [-0.05, 0.04],
      [-2.5, 2.5],
      [1.25, 0.75],
      [999999999999999, 1],
      [123456789.123456, 0.000001],
    ];
    for (const [a, b] of cases) {
      expect(sumText(read(a), read(b), a + b), `${a} + ${b}`).toBe(String(a + b));
      expect(differenceText(read(a), read(b), a - b), `${a} - ${b}`).toBe(String(a - b));
      expect(productText(read(a), read(b), round6(a * b)), `${a} * ${b}`).toBe(String(round6(a * b)));
    }
  });
});
