// Script cases: each `// == name` block runs as a global script; `result` is compared.
// == var hoisting
var result = typeof later; var later = 1;
// == function hoisting
var result = f(); function f() { return 'hoisted'; }
// == closures in loops share var
var fs = []; for (var i = 0; i < 3; i++) { fs.push(function () { return i; }); }
var result = fs.map(function (g) { return g(); });
// == closures capture variables
function make() { var n = 0; return { inc: function () { return ++n; }, get: function () { return n; } }; }
var c = make(); c.inc(); c.inc();
var result = c.get();
// == nested closures three levels
function a(x) { return function (y) { return function (z) { return x + y + z; }; }; }
var result = a(1)(2)(3);
// == inner function assigns outer var
function outer() { var v = 1; function set() { v = 5; } set(); return v; }
var result = outer();
// == recursion
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
var result = fib(15);
// == mutual recursion
function isEven(n) { return n === 0 ? true : isOdd(n - 1); }
function isOdd(n) { return n === 0 ? false : isEven(n - 1); }
var result = [isEven(10), isOdd(7), isEven(3)];
// == undeclared assignment creates global
function g() { implicitGlobal = 42; }
g();
var result = implicitGlobal;
// == var redeclaration keeps value
var x = 1; var x; var result = x;
// == function declared in block
var result;
if (true) { function blockFn() { return 'block'; } }
result = blockFn();
// == arguments object
function f() { var s = 0; for (var i = 0; i < arguments.length; i++) s += arguments[i]; return s; }
var result = [f(1, 2, 3), f(), f('a', 'b')];
// == arguments is not an array
function f() { return [Array.isArray(arguments), typeof arguments, arguments.length]; }
var result = f(1, 2);
// == missing args undefined extra ignored
function f(a, b, c) { return [a, b, c]; }
var result = [f(1), f(1, 2, 3, 4)];
// == default and rest parameters
function f(a, b = a + 1, ...rest) { return [a, b, rest]; }
var result = [f(1), f(1, 5), f(1, 2, 3, 4)];
// == destructuring declarations
var {a, b: [c, d = 4], e = 'dflt'} = {a: 1, b: [3]};
var [p, , q, ...r] = [1, 2, 3, 4, 5];
var result = [a, c, d, e, p, q, r];
// == destructuring assignment and swap
var x = 1, y = 2;
[x, y] = [y, x];
var o = {};
({k: o.k} = {k: 'v'});
var result = [x, y, o.k];
// == destructuring null throws
var result;
try { var {z} = null; } catch (e) { result = e.name; }
// == this in methods
var obj = { n: 3, get: function () { return this.n; } };
var result = [obj.get(), obj['get']()];
// == this lost when detached
var obj = { n: 3, get: function () { return typeof this; } };
var fn = obj.get;
var result = fn();
// == arrow functions capture this
var obj = { n: 7, run: function () { return [1, 2].map(x => x * this.n); } };
var result = obj.run();
// == arrow with block body
var sq = (x) => { var y = x * x; return y; };
var result = sq(9);
// == constructors and prototypes
function Point(x, y) { this.x = x; this.y = y; }
Point.prototype.norm = function () { return Math.sqrt(this.x * this.x + this.y * this.y); };
var p = new Point(3, 4);
var result = [p.norm(), p instanceof Point, Object.keys(p), 'norm' in p, p.hasOwnProperty('norm')];
// == constructor returning object
function F() { this.a = 1; return {b: 2}; }
function G() { this.a = 1; return 5; }
var result = [new F().b, new F().a, new G().a];
// == prototype chain
function A() {} A.prototype.who = function () { return 'A'; };
function B() {} B.prototype = Object.create(A.prototype); B.prototype.constructor = B;
var b = new B();
var result = [b.who(), b instanceof A, b instanceof B, b.constructor === B];
// == for-in order integer keys first
var o = {b: 1, 2: 'x', a: 2, 1: 'y', '-1': 'z', '01': 'w'};
var keys = []; for (var k in o) keys.push(k);
var result = keys;
// == for-in includes inherited enumerable
function P() { this.own = 1; } P.prototype.inh = 2;
var keys = []; for (var k in new P()) keys.push(k);
var result = keys;
// == for-in over array and string
var keys = []; for (var i in ['a', 'b']) keys.push(i);
for (var j in 'xy') keys.push(j);
var result = keys;
// == for-in over null
var n = 0; for (var k in null) n++; for (var k in undefined) n++;
var result = n;
// == for-of arrays and strings
var out = []; for (var v of [1, 2]) out.push(v); for (var ch of 'ab') out.push(ch);
var result = out;
// == for-of with let and closures
var out = []; for (let v of [1, 2, 3]) { if (v === 2) continue; out.push(v * 10); }
var result = out;
// == do-while with continue
var i = 0, out = [];
do { i++; if (i === 2) continue; out.push(i); } while (i < 4);
var result = out;
// == while with break
var i = 0; while (true) { if (++i > 5) break; }
var result = i;
// == for loop with continue runs update
var out = []; for (var i = 0; i < 5; i++) { if (i % 2) continue; out.push(i); }
var result = out;
// == for without parts
var i = 0; for (;;) { if (i++ >= 3) break; }
var result = i;
// == labelled break out of nested loops
var out = [];
outer: for (var i = 0; i < 3; i++) { for (var j = 0; j < 3; j++) { if (i * j === 2) break outer; out.push(i + '' + j); } }
var result = out;
// == labelled continue
var out = [];
loop1: for (var i = 0; i < 3; i++) { for (var j = 0; j < 3; j++) { if (j === 1) continue loop1; out.push(i + '' + j); } }
var result = out;
// == labelled block
var out = [];
blk: { out.push(1); if (true) break blk; out.push(2); }
var result = out;
// == break from three levels
var count = 0;
top: while (true) { while (true) { while (true) { count++; break top; } } }
var result = count;
// == continue through switch
var out = [];
for (var i = 0; i < 4; i++) { switch (i) { case 1: continue; case 2: out.push('two'); break; default: out.push(i); } }
var result = out;
// == switch fallthrough and default in middle
function sw(x) { var r = []; switch (x) { case 1: r.push(1); default: r.push('d'); case 2: r.push(2); break; case 3: r.push(3); } return r; }
var result = [sw(1), sw(2), sw(3), sw(9)];
// == switch uses strict equality
function sw(x) { switch (x) { case '1': return 'string'; case 1: return 'number'; default: return 'none'; } }
var result = [sw(1), sw('1'), sw(true)];
// == switch with let in cases
function sw(x) { switch (x) { case 1: { let y = 'one'; return y; } default: let z = 'other'; return z; } }
var result = [sw(1), sw(5)];
// == try catch finally order
var log = [];
function f() { try { log.push('try'); return 'ret'; } finally { log.push('finally'); } }
log.push(f());
var result = log;
// == finally overrides return
function f() { try { return 1; } finally { return 2; } }
var result = f();
// == nested try rethrow
var log = [];
try { try { throw new Error('inner'); } catch (e) { log.push(e.message); throw new TypeError('outer'); } finally { log.push('f1'); } } catch (e2) { log.push(e2.name); }
var result = log;
// == catch binding scoped
var e = 'outer';
try { throw 'x'; } catch (e) { var inner = e; }
var result = [e, inner];
// == throw non-error values
var out = [];
try { throw 42; } catch (v) { out.push(v); }
try { throw {code: 1}; } catch (v) { out.push(v.code); }
try { throw null; } catch (v) { out.push(v); }
var result = out;
// == runtime errors are catchable
var out = [];
try { undefinedThing; } catch (e) { out.push(e.name); }
try { null.prop; } catch (e) { out.push(e.name); }
try { (void 0)(); } catch (e) { out.push(e.name); }
try { new (function () {}.bind())(); out.push('ok'); } catch (e) { out.push(e.name); }
var result = out;
// == break inside try finally
var log = [];
for (var i = 0; i < 3; i++) { try { if (i === 1) break; log.push(i); } finally { log.push('f' + i); } }
var result = log;
// == let block scoping
let a = 1; { let a = 2; var inner = a; }
var result = [a, inner];
// == let shadowing in loops
var out = [];
for (let i = 0; i < 2; i++) { let i2 = i * 2; out.push(i2); }
var result = out;
// == const
const K = 5;
var result = K * 2;
// == const assignment throws
var result;
function f() { const c = 1; try { c = 2; } catch (e) { return e.name; } }
result = f();
// == typeof undeclared in function
function f() { return typeof notDeclaredAnywhere; }
var result = f();
// == compound assignment operators
var x = 10; x += 5; x -= 3; x *= 2; x /= 4; x %= 4; x **= 3; x <<= 2; x >>= 1; x >>>= 0; x |= 1; x &= 7; x ^= 2;
var result = x;
// == compound assignment on members
var o = {n: 1, s: 'a'}, arr = [1, 2];
o.n += 2; o['s'] += 'b'; arr[1] *= 10; arr[0]++; ++arr[0]; o.n--;
var result = [o.n, o.s, arr];
// == increments on strings and undefined
var s = '5', u, n = null;
s++; u++; n++;
var result = [s, u, n];
// == postfix returns old value
var i = 1; var a = i++; var b = ++i;
var o = {v: '3'}; var c = o.v++;
var result = [a, b, i, c, o.v];
// == update expression evaluates object once
var calls = 0; var o = {n: 1};
function get() { calls++; return o; }
get().n++; get().n += 10;
var result = [calls, o.n];
// == comma and void in statements
var a = (1, 2), b = void 3;
var result = [a, b];
// == delete properties
var o = {a: 1, b: 2}; delete o.a;
var arr = [1, 2, 3]; delete arr[1];
var result = [Object.keys(o), arr.length, 1 in arr, arr];
// == array holes and length
var arr = [1, 2]; arr[5] = 6;
var result = [arr.length, arr[3], 3 in arr, arr.indexOf(undefined)];
// == set array length
var arr = [1, 2, 3, 4]; arr.length = 2;
var b = [1]; b.length = 3;
var result = [arr, b.length, b];
// == array extra properties
var arr = [1, 2]; arr.label = 'x';
var result = [arr.label, arr.length, Object.keys(arr)];
// == sort stability with comparator
var items = [{k: 1, v: 'a'}, {k: 0, v: 'b'}, {k: 1, v: 'c'}, {k: 0, v: 'd'}];
items.sort(function (x, y) { return x.k - y.k; });
var result = items.map(function (i) { return i.v; }).join('');
// == sort numbers default is lexicographic
var result = [5, 25, 100, 1].sort();
// == array mutators
var a = [1, 2, 3];
a.push(4, 5); a.unshift(0); var popped = a.pop(); var shifted = a.shift();
var removed = a.splice(1, 2, 'x', 'y', 'z');
var result = [a, popped, shifted, removed];
// == forEach skips holes
var seen = []; [1, , 3].forEach(function (v, i) { seen.push(i); });
var result = seen;
// == map keeps holes
var result = [1, , 3].map(function (x) { return x * 2; });
// == string building in loop
var s = ''; for (var i = 0; i < 5; i++) { s += i; }
var result = s;
// == number accumulation
var total = 0; for (var i = 0; i < 10; i++) total += 0.1;
var result = total;
// == objects as maps
var counts = {}; var words = ['a', 'b', 'a', 'c', 'a'];
for (var i = 0; i < words.length; i++) { counts[words[i]] = (counts[words[i]] || 0) + 1; }
var result = counts;
// == JSON round trip
var data = {name: 'x', list: [1, 2, {deep: true}], nothing: null};
var result = JSON.parse(JSON.stringify(data));
// == JSON stringify cycle throws
var o = {}; o.self = o; var result;
try { JSON.stringify(o); } catch (e) { result = e.name; }
// == regex global exec loop
var re = /\d+/g, m, found = [];
while ((m = re.exec('a1 b22 c333')) !== null) found.push(m[0] + '@' + m.index);
var result = [found, re.lastIndex];
// == regex test with global advances lastIndex
var re = /a/g;
var result = [re.test('aa'), re.lastIndex, re.test('aa'), re.lastIndex, re.test('aa'), re.lastIndex];
// == replace with function and groups
var result = 'x=1, y=22'.replace(/(\w)=(\d+)/g, function (all, name, num, offset) { return name.toUpperCase() + (num * 2) + '@' + offset; });
// == string methods chain
var result = '  Hello, World  '.trim().toLowerCase().split(', ').map(function (w) { return w.charAt(0).toUpperCase() + w.slice(1); }).join(' & ');
// == Math in loops
var m = 0; for (var i = 1; i <= 10; i++) m = Math.max(m, (i * 7) % 11);
var result = m;
// == Date arithmetic
var d = new Date(Date.UTC(2020, 0, 31));
d.setUTCMonth(1);
var result = [d.toISOString(), new Date(Date.UTC(2020, 1, 29, 12)).getUTCDay()];
// == Date setters
var d = new Date(0); d.setUTCFullYear(2001, 5, 15); d.setUTCHours(10, 20, 30, 400);
var result = d.toISOString();
// == error objects
var e = new RangeError('bad');
var result = [e.name, e.message, String(e), e instanceof RangeError, e instanceof Error, Object.keys(e)];
// == custom error type
function MyError(msg) { this.message = msg; }
MyError.prototype = Object.create(Error.prototype);
MyError.prototype.name = 'MyError';
var result;
try { throw new MyError('boom'); } catch (e) { result = [e.name, e.message, e instanceof Error, String(e)]; }
// == function properties
function f(a, b) {}
f.custom = 1;
var result = [f.name, f.length, f.custom, typeof f.prototype];
// == call apply bind
function f(a, b) { return this.base + a + b; }
var o = {base: 10};
var result = [f.call(o, 1, 2), f.apply(o, [3, 4]), f.bind(o, 5)(6)];
// == named function expression self reference
var fact = function me(n) { return n <= 1 ? 1 : n * me(n - 1); };
var result = [fact(6), typeof me];
// == immediately invoked
var result = (function () { var private_ = 'p'; return private_ + '!'; })();
// == template literal with expressions
var name = 'W', n = 3;
var result = `Hello ${name}, ${n * 2} times ${[1, 2]}`;
// == shorthand properties and methods
var x = 1, y = 2;
var o = {x, y, sum() { return this.x + this.y; }};
var result = [o.x, o.y, o.sum()];
// == computed property names
var k = 'dyn';
var o = {[k + 1]: 'a', [2 + 3]: 'b'};
var result = Object.keys(o);
// == object spread
var base = {a: 1, b: 2};
var o = {...base, b: 3, c: 4};
var result = o;
// == getter in object literal unsupported
var result = 1;
// == typeof in conditions
var v;
var result = typeof v === 'undefined' ? 'undef' : 'def';
// == equality chains
var result = [null == 0, null >= 0, undefined == null, NaN != NaN, [] + [] === '', [0] == false];
// == numeric loop with floats
var acc = 0; for (var i = 0; i < 100; i++) { acc = acc * 1.01 + i; }
var result = acc;
// == integer overflow past 2^53
var big = 9007199254740992; var result = [big + 1, big + 2, big * 2 + 1];
// == bit manipulation
var flags = 0; flags |= 1 << 3; flags |= 1 << 31; flags &= ~(1 << 3);
var result = [flags, flags >>> 0, flags >> 28];
// == string comparison sort
var result = ['b', 'B', 'a', 'A', '_', '1'].sort();
// == localeCompare sort
var result = ['b', 'a', 'c'].sort(function (x, y) { return x.localeCompare(y); });
// == parse numbers from strings
var result = ['10', '0x10', '1e1', ' 7 ', 'x'].map(Number);
// == implicit conversion in conditions
var out = [];
if ('0') out.push('str0'); if (0) out.push('num0'); if ([]) out.push('arr'); if ({}) out.push('obj'); if (NaN) out.push('nan'); if (-0) out.push('negz');
var result = out;
// == logical assignment patterns
var cfg = {}; cfg.a = cfg.a || 'default'; cfg.b = cfg.b && 'never';
var result = cfg;
// == conditional chains
function grade(s) { return s >= 90 ? 'A' : s >= 80 ? 'B' : s >= 70 ? 'C' : 'F'; }
var result = [95, 85, 75, 5].map(grade);
// == nested functions hoisting inside function
function outer() { return inner(); function inner() { return 'hoisted inner'; } }
var result = outer();
// == var in function hoists to undefined
function f() { var before = v; var v = 1; return [before, v]; }
var result = f();
// == closure counter factory array
var fs = [];
for (var i = 0; i < 3; i++) { fs.push((function (j) { return function () { return j; }; })(i)); }
var result = fs.map(function (f) { return f(); });
// == object key coercion
var o = {}; o[1] = 'a'; o['1'] = 'b'; o[true] = 'c'; o[null] = 'd'; o[{}] = 'e';
var result = Object.keys(o);
// == in operator with arrays and strings keys
var arr = ['x'];
var result = [0 in arr, '0' in arr, 'length' in arr, 'push' in arr];
// == instanceof with bound function
function F() {}
var BF = F.bind(null);
var result = new BF() instanceof F;
// == Object.defineProperty non enumerable
var o = {};
Object.defineProperty(o, 'hidden', {value: 1, enumerable: false});
o.shown = 2;
var result = [o.hidden, Object.keys(o)];
// == Object.create with null prototype
var o = Object.create(null); o.a = 1;
var result = [Object.keys(o), typeof o.toString];
// == array of arrays
var grid = []; for (var r = 0; r < 3; r++) { grid.push([]); for (var c = 0; c < 3; c++) grid[r].push(r * c); }
var result = grid;
// == reduce building object
var result = ['a', 'bb', 'ccc'].reduce(function (acc, s) { acc[s] = s.length; return acc; }, {});
// == string split join roundtrip
var result = 'a-b-c'.split('-').reverse().join('+');
// == uncaught error propagates
var result = 'before';
function thrower() { throw new Error('x'); }
try { thrower(); result = 'not reached'; } catch (e) { result = e.message; }
// == deep recursion limit is catchable
function down(n) { return n === 0 ? 0 : 1 + down(n - 1); }
var result = down(150);
// == function in expression context uses loops
var result = [3, 1, 2].map(function (x) { var s = 0; for (var i = 0; i <= x; i++) s += i; return s; });
// == while loop with complex condition
var i = 0, j = 10; while (i < j && i !== 5) { i++; j--; }
var result = [i, j];
// == nested ternary and logical
var a = null, b = 0, c = 'c';
var result = a || b || c;
// == numeric string keys on arrays
var arr = []; arr['2'] = 'x'; arr['02'] = 'y';
var result = [arr.length, arr[2], arr['02']];
// == isNaN and Number.isNaN
var result = [isNaN('x'), Number.isNaN('x'), isNaN(undefined), isNaN(null)];
// == toFixed in messages
var price = 3.14159; var result = 'Price: ' + price.toFixed(2);
// == String coercion of objects with toString
var o = {toString: function () { return 'custom'; }};
var result = ['' + o, String(o), o + 1, `${o}`];
// == valueOf used by arithmetic
var o = {valueOf: function () { return 42; }};
var result = [o + 1, o * 2, o > 41, String(o)];
// == Array.prototype methods via call
var result = Array.prototype.slice.call({0: 'a', 1: 'b', length: 2});
// == arguments slice
function f() { return Array.prototype.slice.call(arguments, 1); }
var result = f(1, 2, 3);
// == let in for loop closures
var fs = [];
for (let i = 0; i < 3; i++) { fs.push(function () { return i; }); }
var result = fs.map(function (f) { return f(); });
// == let temporal dead zone
var result;
try { (function () { var r = x; let x = 1; return r; })(); } catch (e) { result = e.name; }
// == let TDZ through closure
var result;
function f() { function g() { return y; } var r; try { r = g(); } catch (e) { r = e.name; } let y = 2; return [r, g()]; }
result = f();
// == const in block
var result = [];
{ const c = 1; result.push(c); }
{ const c = 2; result.push(c); }
// == typeof in TDZ throws
var result;
try { (function () { typeof z; let z; })(); result = 'no'; } catch (e) { result = e.name; }
// == let per iteration with break continue return
function f() {
  var fs = [];
  for (let i = 0; i < 10; i++) {
    if (i === 1) continue;
    if (i === 4) break;
    fs.push(() => i);
  }
  outer: for (let j = 0; j < 3; j++) {
    for (let k = 0; k < 3; k++) { fs.push(() => j * 10 + k); if (k === 1) continue outer; }
  }
  for (let m = 0; m < 5; m++) { fs.push(function () { return m; }); if (m === 2) return fs.map(g => g()); }
}
var result = f();
// == let per iteration body modifies variable
var fs = [];
for (let i = 0; i < 6; i++) { fs.push(() => i); i++; }
var result = fs.map(g => g());
// == const in for-of closures
var fs = [];
for (const v of ['a', 'b']) fs.push(() => v);
for (let k in {x: 1, y: 2}) fs.push(() => k);
var result = fs.map(g => g());
// == per iteration body assigns outer variables
var total = 0, fs = [];
for (let i = 0; i < 3; i++) { total += i; var last = i; fs.push(() => i + total); }
var result = [total, last, fs.map(g => g())];
// == for-of over entries keys values
var out = [];
for (const [i, v] of ['a', 'b'].entries()) out.push(i + v);
for (const k of [7, 8].keys()) out.push(k);
var result = out.concat(Array.from([1, 2].values()), [...'hi'.split('')]);
// == program memoized fibonacci
var memo = {};
function fib(n) { if (n in memo) return memo[n]; var v = n < 2 ? n : fib(n - 1) + fib(n - 2); memo[n] = v; return v; }
var result = [fib(50), Object.keys(memo).length];
// == program word frequency sorted
var text = 'the quick brown fox jumps over the lazy dog the end';
var freq = {};
text.split(' ').forEach(function (w) { freq[w] = (freq[w] || 0) + 1; });
var result = Object.keys(freq).sort(function (a, b) { return freq[b] - freq[a] || (a < b ? -1 : a > b ? 1 : 0); }).slice(0, 3);
// == program queue simulation
var queue = [], log = [];
for (var t = 0; t < 10; t++) {
  if (t % 3 === 0) queue.push({id: t, pri: t % 2});
  if (t % 4 === 3 && queue.length) log.push(queue.shift().id);
}
var result = [log, queue.map(function (q) { return q.id; })];
// == program parse key value
function parse(s) {
  var out = {};
  s.split(';').forEach(function (pair) {
    var m = /^\s*(\w+)\s*=\s*(.*?)\s*$/.exec(pair);
    if (m) out[m[1]] = isNaN(Number(m[2])) ? m[2] : Number(m[2]);
  });
  return out;
}
var result = parse('a = 1; b= two ;c=3.5; bad');
// == program state machine in js
var transitions = {idle: {start: 'running'}, running: {pause: 'paused', stop: 'idle'}, paused: {resume: 'running', stop: 'idle'}};
var state = 'idle', trace = [];
['start', 'pause', 'bogus', 'resume', 'stop'].forEach(function (ev) {
  var next = transitions[state][ev];
  trace.push(next ? (state = next) : 'ignored:' + ev);
});
var result = trace;
// == program nested try in loops with labels
var out = [];
outer: for (var i = 0; i < 4; i++) {
  try {
    switch (i) {
      case 0: continue outer;
      case 1: try { throw new Error('e' + i); } catch (e) { out.push(e.message); break; } finally { out.push('f' + i); }
      case 2: out.push('two'); break outer;
    }
    out.push('after-switch-' + i);
  } finally {
    out.push('outer-finally-' + i);
  }
}
var result = out;
// == program closures over loop with IIFE and let mix
var adders = [];
for (var i = 0; i < 3; i++) { adders.push((function (n) { return function (x) { return x + n; }; })(i)); }
for (let j = 10; j < 12; j++) { adders.push(function (x) { return x + j; }); }
var result = adders.map(function (f) { return f(100); });
// == program array utilities
function unique(a) { return a.filter(function (v, i) { return a.indexOf(v) === i; }); }
function chunk(a, n) { var out = []; for (var i = 0; i < a.length; i += n) out.push(a.slice(i, i + n)); return out; }
function flatten(a) { return a.reduce(function (acc, v) { return acc.concat(Array.isArray(v) ? flatten(v) : v); }, []); }
var result = [unique([1, 2, 1, 3, 2]), chunk([1, 2, 3, 4, 5], 2), flatten([1, [2, [3, [4]]], 5])];
// == program string formatting
function pad(n, w) { var s = String(n); while (s.length < w) s = '0' + s; return s; }
var d = new Date(Date.UTC(2024, 0, 5, 7, 8, 9));
var result = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1, 2), pad(d.getUTCDate(), 2)].join('-') + 'T' + [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(function (x) { return pad(x, 2); }).join(':');
// == program object clone and compare
function clone(o) { return JSON.parse(JSON.stringify(o)); }
function eq(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
var orig = {a: [1, {b: 2}], c: 'x'};
var copy = clone(orig); copy.a[1].b = 3;
var result = [eq(orig, copy), orig.a[1].b, copy.a[1].b];
// == program bit flags
var READ = 1, WRITE = 2, EXEC = 4;
var perms = READ | EXEC;
var result = [(perms & WRITE) !== 0, (perms & EXEC) !== 0, perms ^ READ, ~perms & 7, perms << 4 >>> 2];
// == program prototype methods and toString
function Money(c) { this.cents = c; }
Money.prototype.toString = function () { return '$' + (this.cents / 100).toFixed(2); };
Money.prototype.valueOf = function () { return this.cents; };
var a = new Money(150), b = new Money(275);
var result = [String(a), a + b, a < b, '' + b, [a, b].join(' ')];
// == program regexp tokenizer
var src = 'x = 3 + foo(42, "hi")';
var re = /\s*(?:(\d+)|(\w+)|("[^"]*")|(\S))/g, m, toks = [];
while ((m = re.exec(src)) !== null) { toks.push(m[1] ? 'num:' + m[1] : m[2] ? 'id:' + m[2] : m[3] ? 'str:' + m[3] : 'op:' + m[4]); }
var result = toks;
// == program getter via function and this binding
var counter = { n: 0, inc: function () { this.n++; return this; }, get: function () { return this.n; } };
var result = counter.inc().inc().inc().get();
// == program arguments and apply
function max() { return Math.max.apply(Math, arguments); }
function partial(fn) { var pre = Array.prototype.slice.call(arguments, 1); return function () { return fn.apply(this, pre.concat(Array.prototype.slice.call(arguments))); }; }
var add3 = function (a, b, c) { return a + b + c; };
var result = [max(3, 9, 2), partial(add3, 1, 2)(3), partial(add3, 'a')('b', 'c')];
// == numeric locals stay exact when a string sneaks in
function f() { var s = 0; for (var i = 0; i < 3; i++) { s += i; } s += 'x'; return s; }
function g() { var n = 1; n = n + '1'; return n; }
function h() { var c = 0; c = c + [1]; return c; }
var result = [f(), g(), h()];
// == numeric locals read before initialisation
function f() { var early = x; var x = 5; return [early, x]; }
function g() { if (false) { var y = 1; } return y; }
function h() { var z; z = 3; return z * 2; }
var result = [f(), g(), h()];
// == numeric locals captured by closures
function f() { var i = 0; var get = function () { return i; }; i = 'changed'; return get(); }
function g() { var k = 1; function set() { k = 'k'; } set(); return k + 1; }
var result = [f(), g()];
// == numeric locals declared twice or destructured
function f() { var a = 1; var a = 'two'; return a; }
function g() { var b = 1; [b] = ['x']; return b; }
function h() { var c = 1; for (c in {p: 1}) {} return c; }
var result = [f(), g(), h()];
// == numeric locals arithmetic edge cases
function f() { var z = 0; var neg = -z; var inf = 1 / z; var m = -7 % 3; var big = 2 ** 53; big++; return [neg, inf, m, big, 0.1 + 0.2, 1 / neg]; }
var result = f();
// == numeric loop sums
function f(n) { var total = 0, sq = 0; for (var i = 1; i <= n; i++) { total += i; sq += i * i; } return [total, sq, total / n]; }
var result = f(100);
// == getters and setters in object literals
var o = { _v: 1, get v() { return this._v * 10; }, set v(x) { this._v = x; }, get ro() { return 'ro'; } };
o.v = 5; o.ro = 'ignored';
var result = [o.v, o._v, o.ro, Object.keys(o), JSON.stringify(o), 'v' in o];
// == inherited accessors and Object.defineProperty
var proto = { get double() { return this.n * 2; }, set double(x) { this.n = x / 2; } };
var c = Object.create(proto); c.n = 4;
var before = c.double; c.double = 20;
function T() { Object.defineProperty(this, 'full', { get: function () { return this.a + ' ' + this.b; }, enumerable: true }); this.a = 'x'; this.b = 'y'; }
var t = new T();
var result = [before, c.n, c.hasOwnProperty('double'), t.full, Object.keys(t)];
// == getter and setter order and replacement
var o = { get a() { return 1; }, a: 2, b: 1, get b() { return 'getter'; } };
var d = Object.getOwnPropertyDescriptor(o, 'b');
var result = [o.a, o.b, Object.keys(o), typeof d.get, d.enumerable, Object.getOwnPropertyDescriptor(o, 'a').value];
// == class basics
class Point {
  constructor(x, y) { this.x = x; this.y = y; }
  norm() { return Math.sqrt(this.x * this.x + this.y * this.y); }
  static origin() { return new Point(0, 0); }
  get sum() { return this.x + this.y; }
  set sum(v) { this.x = v; this.y = 0; }
  toString() { return `(${this.x}, ${this.y})`; }
}
var p = new Point(3, 4);
var before = p.sum; p.sum = 10;
var result = [before, p.x, p.y, new Point(3, 4).norm(), String(Point.origin()), Object.keys(p), typeof Point, p instanceof Point, Object.keys(Point.prototype), p.constructor === Point];
// == class inheritance and super
class Animal {
  constructor(name) { this.name = name; }
  speak() { return this.name + ' makes a sound'; }
  static create(n) { return new this(n); }
}
class Dog extends Animal {
  constructor(name) { super(name); this.kind = 'dog'; }
  speak() { return super.speak() + ' (woof)'; }
}
class Puppy extends Dog {}
var d = new Dog('Rex'), pp = Puppy.create('Bit');
var result = [d.speak(), pp.speak(), pp.kind, pp instanceof Animal, pp instanceof Dog, Object.getPrototypeOf(Puppy) === Dog, Object.keys(d)];
// == class called without new throws
class C {}
var result;
try { C(); result = 'no'; } catch (e) { result = e.name; }
// == class extending Error
class MyError extends Error {
  constructor(msg) { super(msg); this.name = 'MyError'; }
}
var result;
try { throw new MyError('bad'); } catch (e) { result = [e.message, e.name, e instanceof MyError, e instanceof Error, String(e)]; }
// == class expression with inner name and computed methods
var key = 'dyn';
var K = class Inner { [key + 'amic']() { return Inner === K; } static [key]() { return 'static ' + key; } };
var result = [new K().dynamic(), K.dyn(), K.name];
// == class methods are not enumerable and this is not coerced
class M { m() { return typeof this; } }
var f = new M().m;
var keys = []; for (var k in new M()) keys.push(k);
var result = [f(), keys];
// == class getters with inheritance and super property
class Base { get v() { return 1; } static get sv() { return 's'; } }
class Der extends Base { get v() { return super.v + 10; } static get sv() { return super.sv + '!'; } }
var result = [new Der().v, Der.sv];
// == top level let without initialiser
let topLet;
var result = [typeof topLet, topLet === undefined];
// == top level block TDZ is a ReferenceError
{ tdzRead; let tdzRead = 1; }
var result = 'unreached';
// == deviation: strings count code points
var result = ['😀'.length, 'a😀b'.charAt(2)];
// == deviation: primitive this is not boxed in sloppy functions
var result = (function () { return typeof this; }).call(5);
// == deviation: arguments is not mapped to the parameters
var result = (function (a) { arguments[0] = 9; return a; })(1);
// == arguments.callee of a declared function
function calleeFact(n) { return n <= 1 ? 1 : n * arguments.callee(n - 1); }
var calleeCopy = calleeFact;
calleeFact = null;
var result = calleeCopy(5);
// == strict arguments.callee throws
var result;
try { result = (function () { 'use strict'; return typeof arguments.callee; })(); } catch (e) { result = [e.name, e.message]; }
// == strict arguments.callee is a hidden accessor
var result = (function () {
  'use strict';
  var d = Object.getOwnPropertyDescriptor(arguments, 'callee');
  var keys = [];
  for (var k in arguments) keys.push(k);
  return [typeof d.get, d.get === d.set, d.enumerable, 'callee' in arguments, keys, Object.keys(arguments), JSON.stringify(arguments), Object.getOwnPropertyNames(arguments), typeof arguments.caller];
})(1, 2);
// == writing strict arguments.callee throws
var result;
try { (function () { 'use strict'; arguments.callee = 1; })(); result = 'written'; } catch (e) { result = e.name; }
// == methods and class code have strict arguments
var o = { m: function () { return typeof arguments.callee; } };
class StrictArgs { m() { try { return arguments.callee; } catch (e) { return e.name; } } }
var result = [o.m(), new StrictArgs().m()];
// == deviation: top level const can be reassigned
const topConst = 1;
var result;
try { topConst = 2; result = topConst; } catch (e) { result = e.name; }
// == deviation: this before super in a derived constructor
class DevA {}
class DevB extends DevA { constructor() { this.x = 1; super(); } }
var result;
try { new DevB(); result = 'no error'; } catch (e) { result = e.name; }
// == deviation: freezing a plain object
var o = Object.freeze({a: 1});
o.a = 2;
var result = [o.a, Object.isFrozen(o)];
// == deviation: iterators are arrays
var result = typeof [1, 2].keys().next;
// == variable-width lookbehind (the regex package has it)
var result;
try { result = /(?<=a+)b/.test('aab'); } catch (e) { result = e.name; }
// == deviation: unicode property escapes
var result;
try { result = /\p{L}/u.test('a'); } catch (e) { result = e.name; }
// == a numeric index is evaluated whatever the object is
var i = 0, s = 'abc', o = {1: 'one'};
var got = [s[i++ + 0], o[i++ + 0], s[i++ + 0], i];
var result = got;
// == use strict: this of a call without a receiver
function sf() { 'use strict'; return this; }
function sg() { return typeof this; }
var result = [sf() === undefined, typeof sf(), sg(), sf.call(null), sf.call(5), typeof sf.call('s')];
// == use strict: only the directive prologue counts
function d1() { 'x'; 'use strict'; return typeof this; }
function d2() { var v; 'use strict'; return typeof this; }
function d3() { 'use\x20strict'; return typeof this; }
function d4() { ('use strict'); return typeof this; }
var result = [d1(), d2(), d3(), d4()];
// == use strict: nested functions inherit it, outer functions do not
function outerS() { 'use strict'; function inner() { return typeof this; } var arrow = () => typeof this; return [inner(), arrow(), (function () { return this; })()]; }
function outerN() { function inner() { 'use strict'; return typeof this; } return [typeof this, inner()]; }
var result = [outerS(), outerN()];
// == use strict: functions inside class code are strict
class StrictHost { m() { return (function () { return typeof this; })(); } }
var result = new StrictHost().m();
// == use strict: Function bodies and loops
var viaFunction = Function("'use strict'; return typeof this;")();
function withLoop() { 'use strict'; var n = 0; for (var i = 0; i < 3; i++) { n += (function () { return this === undefined ? 1 : 0; })(); } return n; }
var result = [viaFunction, withLoop()];
// == delete of declared bindings inside functions
function delLocals(a) { var v = 1; function h() {} var r = [delete a, delete v, delete h, delete arguments]; return r.concat([a, v, typeof h]); }
var result = delLocals(1);
// == delete of an implicit global from a function
function makeImplicit() { implicitOne = 1; }
makeImplicit();
var result = [typeof implicitOne, delete implicitOne, typeof implicitOne];
// == delete of the constant globals
var result = [delete undefined, delete NaN, delete Infinity, typeof undefined, NaN !== NaN, Infinity > 0];
// == escaped reserved words as property names
var eo = { def\u0061ult: 1, n\u0075ll: 2, \u0069f: 3 };
eo.\u0066or = 4;
class EscapedMembers { d\u0065lete() { return 5; } static \u0063lass() { return 6; } }
var result = [eo.default, eo['null'], eo.i\u0066, eo.for, new EscapedMembers().delete(), EscapedMembers.class(), Object.keys(eo)];
// == escaped reserved words are not identifiers
var result = [];
['var def\\u0061ult = 1;', 'v\\u0061r x = 1;', 'var t = \\u0074his;', 'var o = { def\\u0061ult };', 'var n = n\\u0075ll;'].forEach(function (src) {
  try { Function(src); result.push('accepted'); } catch (e) { result.push(e.name); }
});
// == a null base throws before its key is converted
var log = [];
var key = { toString: function () { log.push('toString'); return 'k'; } };
function attempt(label, f) { try { f(); log.push(label + ': no error'); } catch (e) { log.push(label + ': ' + e.name); } }
var nb = null, ub;
attempt('++', function () { ++nb[key]; });
attempt('post--', function () { ub[key]--; });
attempt('+=', function () { nb[key] += 1; });
attempt('*=', function () { ub[key] *= 2; });
attempt('=', function () { nb[key] = 1; });
attempt('read', function () { return ub[key]; });
attempt('call', function () { nb[key](log.push('argument')); });
attempt('in', function () { return key in ub; });
attempt('delete', function () { return delete nb[key]; });
attempt('destructure', function () { [nb[key]] = [1]; });
var result = log;
// == an object base converts the key once per reference
var log = [];
var key = { toString: function () { log.push('toString'); return 'k'; } };
var ob = { k: 1 };
ob[key] += 1;
var afterCompound = log.length;
ob[key] = 5;
var r = [ob[key], ob.k];
var result = [afterCompound > 0, r];
// == for-in skips a property deleted before it is visited
var o = {a: 1, b: 2, c: 3}, seen = [];
for (var k in o) { seen.push(k); delete o.c; }
var a = [1, 2, 3], seenA = [];
for (var k in a) { seenA.push(k); a.length = 1; }
var proto = {i: 1}, ch = Object.create(proto), seenP = [];
ch.o = 1;
for (var k in ch) { seenP.push(k); delete proto.i; }
var d = {a: 1, b: 2}, seenD = [];
for (var k in d) { seenD.push(k); delete d.b; d.b = 3; }
var result = [seen, seenA, seenP, seenD];
// == for-in: a non-enumerable own property hides an inherited one
var p = Object.create({x: 1, y: 2});
Object.defineProperty(p, 'x', {value: 2, enumerable: false});
var seen = [];
for (var k in p) seen.push(k);
var result = seen;
// == default parameter values see the parameters and arguments
function dpF(a, c = function () { return a; }) { return c(); }
function dpG(a, b = () => a + 1) { return b(); }
function dpH(a, b = function () { for (var i = 0; i < 2; i++) {} return a * 2; }) { return b(); }
function dpK(a, b = arguments.length) { return b; }
function dpArgs(arguments) { return arguments; }
var result = [dpF(1), dpG(1), dpH(3), dpK(1), dpK(1, 7), dpArgs(4)];
// == let, const and catch bindings of a loop body are per iteration
var r = [];
function run(fs) { return fs.map(function (f) { return f(); }).join(); }
var fs = [];
for (var i = 0; i < 3; i++) { let j = i; fs.push(function () { return j; }); }
r.push(run(fs));
fs = []; var n = 0;
while (n < 3) { const c = n * 10; fs.push(() => c); n++; }
r.push(run(fs));
fs = []; n = 0;
do { let d = n; if (d % 2 == 0) { let e = d + 100; fs.push(() => e); } fs.push(() => d); n++; } while (n < 3);
r.push(run(fs));
fs = [];
for (var k in {a: 1, b: 2}) { let kk = k; fs.push(() => kk); }
r.push(run(fs));
fs = [];
for (var i = 0; i < 3; i++) { try { throw i; } catch (e) { fs.push(function () { return e; }); } }
r.push(run(fs));
fs = [];
for (var i = 0; i < 4; i++) { let j = i; if (j == 1) continue; if (j == 3) break; fs.push(() => j); }
r.push(run(fs));
function inner() { var out = []; for (var i = 0; i < 3; i++) { let j = i * 2; out.push(() => j); if (j == 4) return out; } return out; }
r.push(run(inner()));
fs = []; var total = 0;
for (let i = 0; i < 3; i++) { let j = i + 1; total += j; fs.push(() => i + j); }
r.push(run(fs) + ':' + total);
outer: for (var a = 0; a < 3; a++) { for (var b = 0; b < 3; b++) { let x = a * 10 + b; fs.push(() => x); if (b == 1) continue outer; } }
r.push(run(fs));
var result = r;
// == a bound function has no prototype: instanceof asks its target
function P() { this.v = 1; } var B = P.bind(null);
var b = new B();
var result = [new P() instanceof B, 'prototype' in B, typeof B.prototype, b instanceof P, b instanceof B, b.v, Object.getPrototypeOf(b) === P.prototype, B.hasOwnProperty('prototype')];
// == switch: function declarations of any case, tests in order, and a long switch through eval
var r = [];
function o() { switch (1) { case 0: function sf() { return 'sf'; } case 1: return typeof sf; } }
r.push(o());
function o2(x) { switch (x) { case 'a': return g(); case 'b': function g() { return 'g'; } return 'b'; default: return g(); } }
r.push(o2('a'), o2('b'), o2('z'));
var log = [];
function t(v) { log.push(v); return v; }
switch (3) { case t(1): r.push('one'); case t(3): r.push('three'); case t(4): r.push('four'); break; default: r.push('d'); }
r.push(log.join());
switch (9) { default: r.push('def'); case 1: r.push('one-after-default'); }
var big = 'var x = 437, res; switch (x) {';
for (var i = 0; i < 500; i++) big += ' case ' + i + ': res = ' + i + '; break;';
big += ' } res';
r.push(eval(big));
var result = r;
// == built-ins that check their receiver and arguments
var r = [];
function t(f) { try { r.push(String(f())); } catch (e) { r.push(e.name + ': ' + e.message); } }
t(function () { return Error.prototype.toString.call('abc'); });
t(function () { return Array.prototype.toString.call(null); });
t(function () { return Array.prototype.toString.call({join: function () { return 'J'; }}); });
t(function () { return Array.prototype.toString.call({}); });
t(function () { var a = [1, 2]; a.join = function () { return 'own'; }; return String(a) + ('' + a); });
t(function () { return String([1, [2, 3]]); });
t(function () { return Object.defineProperties({}); });
t(function () { return Object.create({}, null); });
t(function () { return Object.keys(Object.create({}, undefined)).length; });
t(function () { return Object.prototype.isPrototypeOf.call(undefined, {}); });
t(function () { return Object.prototype.isPrototypeOf.call(undefined, 1); });
t(function () { return new Error('m').toString(); });
var result = r;
// == the global scope inherits from Object.prototype
var r = [typeof toString, typeof hasOwnProperty, typeof valueOf, typeof nosuchthing, typeof constructor];
try { nosuch2; } catch (e) { r.push(e.name); }
var result = r;
// == methods, getters and setters of an object literal are not constructors
var r = [];
function t(f) { try { r.push(String(f())); } catch (e) { r.push(e.name); } }
t(function () { var o = {m() { return 1; }}; return typeof new o.m(); });
t(function () { var g = Object.getOwnPropertyDescriptor({get g() { return 1; }}, 'g').get; return typeof new g(); });
t(function () { var s = Object.getOwnPropertyDescriptor({set s(v) {}}, 's').set; return typeof new s(); });
t(function () { var o = {f: function () {}}; return typeof new o.f(); });
var result = r;
// == regular expressions: duplicate group names, control letters in a class
var r = [];
try { new RegExp('(?<a>x)(?<a>y)'); r.push('ok'); } catch (e) { r.push(e.name + ': ' + e.message); }
r.push(new RegExp('(?<a>x)(?<b>y)').exec('xy').groups.b);
r.push(/[\c1]/.test('\x11'), /[\c_]/.test('\x1f'), /[\cA]/.test('\x01'), /\c1/.test('\\c1'), /[\c]/.test('c'), /[\c]/.test('\\'));
var result = r;
// == Object.getOwnPropertyNames: all keys in creation order, indices first; a String object's length
var o = Object.create(null); Object.defineProperty(o, 'a', {value: 1}); o.b = 2; o[1] = 3; Object.defineProperty(o, '0', {value: 4});
var s = new String('ab'); s.x = 1;
var result = [Object.getOwnPropertyNames(o), (function () { 'use strict'; return Object.getOwnPropertyNames(arguments); })(1, 2), Object.getOwnPropertyNames(s), Object.getOwnPropertyNames([5, 6])];
// == Object.getOwnPropertyNames of functions and built-in objects: length, name, prototype, then the rest
var r = [];
r.push(Object.getOwnPropertyNames((function () { 'use strict'; return function g(a, b) {}; })()));
r.push(Object.getOwnPropertyNames(function () {}.bind(null)), Object.getOwnPropertyNames(() => 1), Object.getOwnPropertyNames(Math.max));
r.push(Object.getOwnPropertyNames(class A { static s() {} }));
var f = (function () { 'use strict'; var f = function () {}; f.x = 1; Object.defineProperty(f, 'h', {value: 2, configurable: true}); return f; })();
r.push(Object.getOwnPropertyNames(f), Object.keys(f), Object.getOwnPropertyDescriptor(f, 'h').enumerable, Object.getOwnPropertyDescriptor(f, 'x').enumerable);
Object.defineProperty(f, 'x', {enumerable: false}); Object.defineProperty(f, 'h', {enumerable: true});
r.push(Object.keys(f), f.x, f.h);
r.push(['abs', 'max', 'PI', 'E', 'random', 'nosuch'].filter(function (k) { return Object.getOwnPropertyNames(Math).indexOf(k) >= 0; }));
r.push(Object.getOwnPropertyNames(JSON).slice(0, 2), Object.getOwnPropertyNames(Array).slice(0, 4), Object.getOwnPropertyNames(Array.prototype)[0]);
r.push(['keys', 'create', 'freeze', 'getOwnPropertyNames', 'nosuch'].filter(function (k) { return Object.getOwnPropertyNames(Object).indexOf(k) >= 0; }));
var result = r;
// == for (let ...): closures made in the test or the update see that iteration's binding
var r = [];
var fs = [];
for (let i = 0; fs.push(function () { return i; }), i < 3; i++) {}
r.push(fs.map(function (f) { return f(); }));
fs = [];
for (let i = 0; i < 3; fs.push(() => i), i++) {}
r.push(fs.map(function (f) { return f(); }));
fs = [];
for (let i = 0; i < 3; i++) { fs.push(() => i); }
r.push(fs.map(function (f) { return f(); }));
fs = [];
for (let i = 0, j = 10; fs.push(() => i + j), i < 4; i++, j--) { if (i == 1) continue; if (i == 3) break; fs.push(() => -i); }
r.push(fs.map(function (f) { return f(); }));
function g() { for (let k = 0; fs.push(() => k), k < 5; k++) { if (k == 2) return k * 100; } }
fs = []; r.push(g(), fs.map(function (f) { return f(); }));
outer: for (var a = 0; a < 2; a++) { for (let b = 0; fs.push(() => b), b < 3; b++) { if (b == 1) continue outer; } }
r.push(fs.length);
fs = [];
for (let i = 0; i < 2; fs.push(() => i += 10), i++) { }
r.push(fs.map(function (f) { return f(); }));
var result = r;
// == Array.prototype.concat boxes a primitive this (ToObject) and refuses undefined
var r = [typeof Array.prototype.concat.call(1, 2)[0], Array.prototype.concat.call('ab', 2)[0] instanceof String, Array.prototype.concat.call(true).length];
try { Array.prototype.concat.call(undefined, 1); r.push('no'); } catch (e) { r.push(e.name); }
try { Array.prototype.concat.call(null); r.push('no'); } catch (e) { r.push(e.name); }
var result = r;
// == functions declared in blocks (Annex B.3.3): a binding of the block from its start; the var takes the function when the declaration is reached; strict code has no var
var r = [];
function g() { return typeof f; }
r.push(g());
{ r.push(g(), typeof f); function f() { return 1; } r.push(g()); f = 5; r.push(typeof f); }
r.push(typeof f);
r.push((function () { 'use strict'; { function q() {} } return typeof q; })());
r.push((function () { var out = []; out.push(typeof z); if (true) { function z() {} } out.push(typeof z); if (false) { function w() {} } out.push(typeof w); return out; })());
r.push((function () { var out = []; switch (1) { case 0: function s0() { return 0; } case 1: out.push(typeof s0, typeof s1); function s1() { return 1; } out.push(typeof s1); } out.push(typeof s0, typeof s1); return out; })());
r.push((function () { var out = []; { function n() { return 'outer'; } { out.push(n()); function n() { return 'inner'; } out.push(n()); } out.push(n()); } out.push(n()); return out; })());
r.push((function () { var out = []; for (var i = 0; i < 2; i++) { out.push(typeof m); function m() { return i; } } out.push(m()); return out; })());
r.push((function () { var out = []; try { out.push(typeof e1); throw 1; function e1() {} } catch (x) { out.push(typeof e1); } return out; })());
r.push((function () { let v = 1; { function v2() {} } return typeof v2; })());
r.push((function () { var out = []; if (true) function iff() { return 'if'; } out.push(typeof iff); return out; })());
var result = r;
// == argument conversion order of String, Array, Number and Date built-ins (valueOf/toString side effects)
var log = [];
function o(name, v) { return { toString: function () { log.push(name + '.toString'); return String(v); }, valueOf: function () { log.push(name + '.valueOf'); return v; } }; }
var r = [];
log = []; 'abcabc'.lastIndexOf(o('s', 'b'), o('p', 3)); r.push(log.join());
log = []; 'a,b,c'.split(o('sep', ','), o('lim', 2)); r.push(log.join());
log = []; 'ab'.padStart(o('len', 5), o('fill', 'x')); r.push(log.join());
log = []; 'ab'.padEnd(o('len', 5), o('fill', 'x')); r.push(log.join());
log = []; try { String.prototype.normalize.call(o('this', 'ab'), o('form', 'NFC')); } catch (e) { log.push(e.name); } r.push(log.join());
log = []; 'abc'.indexOf(o('s', 'b'), o('p', 0)); r.push(log.join());
log = []; 'abc'.slice(o('a', 0), o('b', 2)); r.push(log.join());
log = []; 'abc'.substring(o('a', 0), o('b', 2)); r.push(log.join());
log = []; 'abc'.substr(o('a', 0), o('b', 2)); r.push(log.join());
log = []; 'abc'.replace(o('pat', 'b'), o('rep', 'x')); r.push(log.join());
log = []; 'abc'.includes(o('s', 'b'), o('p', 0)); r.push(log.join());
log = []; 'abc'.endsWith(o('s', 'c'), o('e', 3)); r.push(log.join());
log = []; 'abc'.replaceAll(o('pat', 'b'), o('rep', 'x')); r.push(log.join());
log = []; 'abc'.startsWith(o('s', 'a'), o('p', 0)); r.push(log.join());
log = []; 'abc'.repeat(o('n', 2)); r.push(log.join());
log = []; String.prototype.concat.call(o('this', 'a'), o('x', 'b'), o('y', 'c')); r.push(log.join());
log = []; 'abc'.charAt(o('i', 1)); r.push(log.join());
log = []; [1,2,3].slice(o('a', 0), o('b', 2)); r.push(log.join());
log = []; [1,2,3].splice(o('a', 0), o('b', 1)); r.push(log.join());
log = []; [1,2,3].lastIndexOf(2, o('f', 2)); r.push(log.join());
log = []; [1,2,3].fill(0, o('a', 0), o('b', 1)); r.push(log.join());
log = []; [1,2,3].copyWithin(o('t', 0), o('a', 1), o('b', 2)); r.push(log.join());
log = []; Array.from({length: o('len', 2), 0: 'a', 1: 'b'}); r.push(log.join());
log = []; try { Array.from({length: 1}, 5); } catch (e) { log.push(e.name); } r.push(log.join());
log = []; (12.5).toFixed(o('d', 1)); r.push(log.join());
log = []; Math.max(o('a', 1), o('b', 2)); r.push(log.join());
log = []; new Date(o('y', 2020), o('m', 1)); r.push(log.join());
log = []; 'abc'.localeCompare(o('that', 'b')); r.push(log.join());
var result = r;
// == Date.parse: the forms engines accept besides ISO (V8's answers): spaced ISO-like, month names, RFC 850, AM/PM, two-digit years; out-of-range offsets and fields are NaN
var r = [];
['1/1/99','1/1/49','1/1/50','1/1/0','1/1/100','1970-01-01T00:00:00.000+25:00','2020-01-01T10:20:30,5Z','2020-01-01 10:20:30','2020-01-01 GMT','12/25/1995 1:30 PM','12/25/1995 12:30 AM','12/25/1995 13:30 PM','January 2, 2020 10:20:30','Janu 2, 2020','Sat, 01-Jan-2000 08:00:00 GMT','2020-1-1','2020-01-01t10:20:30z','2020-01-01 10:20:30Z','2020-01-01 10:20:30.5','1/32/2020','2/30/2020','13/1/2020','1/1/2020 24:00','Dec 25, 1995','25 Dec 1995 10:00 GMT','Mon Dec 25 1995 10:00:00 GMT+0100','2020-01-01T10:20:30+05:30','2020-01-01T10:20:30+0530','Sept 5, 2020','5 September 2020','Foo 5, 2020', '2020-01-01', '2020-01', '2020', '+002020-01-01T00:00:00Z', '2020-01-01T24:00:00Z', '2020-01-01T24:00:01Z', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)', new Date(1e12).toString(), new Date(1e12).toUTCString(), new Date(1e12).toISOString(), '2020/02/03', '2020/2/3 4:05:06', '2/3/2020 4:05', 'garbage', ''].forEach(function (s) { r.push(Date.parse(s)); });
var result = r;
// == a string literal's escaped surrogate pair is the character it makes
var s = '\ud83d\ude00';
var result = [s === '\u{1F600}', s === '😀', encodeURIComponent(s), s.codePointAt(0), `x\ud83d\ude00` === 'x😀', Object.keys({'\ud83d\ude00': 1})[0] === '😀', JSON.stringify('\ud83d\ude00'), encodeURIComponent('\ud83d\ude00\ud83d\ude01')];
// == Array.isArray(Array.prototype): the prototype is an Array object
var result = [Array.isArray(Array.prototype), Array.isArray(Object.create(Array.prototype)), Array.isArray([]), Object.prototype.toString.call(Array.prototype)];
// == property descriptors of what arrays, String objects and functions have from the start
var result = [Object.getOwnPropertyDescriptor([1], 'length'), Object.getOwnPropertyDescriptor('ab', 0), Object.getOwnPropertyDescriptor(new String('ab'), 'length'), Object.getOwnPropertyDescriptor('ab', 5), Object.getOwnPropertyDescriptor(function f(a) {}, 'length'), Object.getOwnPropertyDescriptor(function f(a) {}, 'prototype'), Object.getOwnPropertyDescriptor(function f(a) {}, 'name'), Object.getOwnPropertyDescriptor(class A {}, 'prototype'), Object.getOwnPropertyDescriptor([1, 2], '0')];
