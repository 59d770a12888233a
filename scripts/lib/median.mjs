// The median the benchmark scripts report: the upper middle value of a sample (no averaging of the two middles).

/** The element at index ⌊n/2⌋ of the sorted copy of `xs`. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
