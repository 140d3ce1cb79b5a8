var keys = [], vals = [];
for (var k in obj) keys.push(k);
for (const v of [1, 2]) vals.push(v);
