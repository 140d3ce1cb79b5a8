[1, 2, 3].map(function (n) { var t = 0; for (var i = 0; i < n; i++) t += i; return t; })
