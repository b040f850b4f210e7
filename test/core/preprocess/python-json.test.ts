// Internals of the Keras tokenizer file (not public API): Python-compatible JSON details.
import { describe, expect, it } from 'vitest';
import {
  parseOrderedObject,
  pythonJsonObject,
  pythonJsonString,
} from '../../../packages/core/src/preprocess/python-json.js';

describe('pythonJsonString', () => {
  it('escapes like Python json.dumps with ensure_ascii', () => {
    // By hand from Python's rules: short escapes for " \ and newline, \u00XX for other control
    // characters and DEL, and every code unit above ASCII as \uXXXX (a surrogate pair for 👍).
    expect(pythonJsonString('é👍\u007f"\\\n\u0001a')).toBe(
      '"\\u00e9\\ud83d\\udc4d\\u007f\\"\\\\\\n\\u0001a"',
    );
  });
});

describe('pythonJsonObject', () => {
  it('uses Python separators and keeps entry order', () => {
    expect(
      pythonJsonObject([
        ['b', 2],
        ['1984', 1],
      ]),
    ).toBe('{"b": 2, "1984": 1}');
    expect(pythonJsonObject(new Map([[3, 'x']]))).toBe('{"3": "x"}');
    expect(pythonJsonObject([])).toBe('{}');
  });
});

describe('parseOrderedObject', () => {
  it('keeps file order, integer-like keys included (JSON.parse would put them first)', () => {
    const text = '{"b": 2, "1984": 1, "\\u00e9\\"x": -3.5e2, "s": "v\\n"}';
    expect(Object.keys(JSON.parse(text))[0]).toBe('1984');
    expect(parseOrderedObject(text, 'd')).toEqual([
      ['b', 2],
      ['1984', 1],
      ['é"x', -350],
      ['s', 'v\n'],
    ]);
  });

  it('reads empty objects and compact layouts', () => {
    expect(parseOrderedObject(' { } ', 'd')).toEqual([]);
    expect(parseOrderedObject('{"a":1,"b":2}', 'd')).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it.each(['[1]', '{"a": [1]}', '{"a": 1', '{"a": 1} x', '{"a": 1,}', 'x{"a": 1}', '{"a" 1}'])(
    'rejects %s',
    (text) => {
      expect(() => parseOrderedObject(text, 'config.word_counts')).toThrow(
        /^config\.word_counts must be a JSON object of strings or numbers/,
      );
    },
  );
});
