// Script cases: each `// == name` block runs as a global script; `result` is compared.
// == var hoisting
var result = typeof later; var later = 1;
// == function hoisting
var result = f(); function f() { return 'hoisted'; }
// == closures in loops share var
var fs = []; for (var i = 0; i < 3; i++) { fs.push(function () { return i; }); }
var result = fs.map(function (g) { return g(); });
