let {a, b: [c] = [1]} = src;
const K = 3;
{ let a = 10; total = a + K; }
[x, y] = [y, x];
