[1, 'two', null, undefined, true, -0, NaN, Infinity, 1e21, , {a: 1, 'b c': [2], [k]: 3}]
