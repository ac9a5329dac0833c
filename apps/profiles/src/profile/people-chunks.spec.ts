import { chunkByPeople } from './people-chunks';

describe('chunkByPeople', () => {
  const items = [
    { person: 'a', n: 1 },
    { person: 'b', n: 2 },
    { person: 'a', n: 3 },
    { person: 'c', n: 4 },
    { person: 'd', n: 5 },
    { person: 'b', n: 6 },
    { person: 'e', n: 7 },
  ];
  const personOf = (i: { person: string }) => i.person;

  it('keeps a batch whole when it holds no more people than the bound', () => {
    expect(chunkByPeople(items, personOf, 5)).toEqual([items]);
    expect(chunkByPeople([], personOf, 5)).toEqual([]);
  });

  it('bounds the distinct people of every chunk, keeps each person in one chunk and in order, and loses nothing', () => {
    const chunks = chunkByPeople(items, personOf, 2);
    expect(chunks.map((c) => c.map((i) => i.n))).toEqual([[1, 3, 2, 6], [4, 5], [7]]);
    for (const chunk of chunks) expect(new Set(chunk.map(personOf)).size).toBeLessThanOrEqual(2);
    expect(
      chunks
        .flat()
        .map((i) => i.n)
        .sort((x, y) => x - y),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => chunkByPeople(items, personOf, 0)).toThrow(RangeError);
    expect(() => chunkByPeople(items, personOf, 1.5)).toThrow(RangeError);
  });
});
