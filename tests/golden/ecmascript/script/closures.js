function counter() { var n = 0; return function () { n += 1; return n; }; }
var c = counter(); c(); total = c();
