Math.max(a, 2) + obj.method(1, ...rest) + fn(x)('y')
