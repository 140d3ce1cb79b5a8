// One expression per line; `//` lines are comments. Each runs in V8 and in scxmlc; results
// must match (type and value; -0 and NaN included). Grouped by feature.
// -- literals and number formatting (ES5.1 9.8.1)
1
-0
0.1 + 0.2
String(1e21)
String(1e20)
String(123456789012345680000)
String(0.000001)
String(1e-7)
String(1.5e-7)
String(-1e-7)
String(2**53)
String(2**53 + 1)
String(2**64)
String(2**70)
String(1/3)
String(-1/3)
String(5e-324)
String(1.7976931348623157e308)
String(123e-20)
String(100)
String(0.5)
String(-0)
String(NaN)
String(Infinity)
String(-Infinity)
String(4.35)
String(0.000123)
String(1234.5678)
9007199254740993
0x1F
0o17
0b101
1e400
.5 + 1.
(25).toString(2)
(255).toString(16)
(-255).toString(36)
(0.5).toString(2)
(3.75).toString(2)
(1e21).toString(7)
(0.1).toString(3)
(1.1).toFixed(1)
(1.005).toFixed(2)
(1.45).toFixed(1)
(-1.5).toFixed(0)
(0).toFixed(2)
(1e21).toFixed(2)
(123.456).toFixed(10)
(0.000001).toFixed(7)
(-0.0001).toFixed(2)
(2.5).toFixed(0)
(1.255).toFixed(2)
(123.456).toPrecision(4)
(0.00001234).toPrecision(2)
(1e21).toPrecision(3)
(123456).toPrecision(2)
(99.99).toPrecision(3)
(1).toPrecision(5)
(0).toPrecision(3)
(-1.5).toPrecision(1)
(123.456).toExponential(2)
(0).toExponential()
(1e-10).toExponential(3)
(12345).toExponential()
(-0.5).toExponential(0)
(1234.5).toExponential(1)
Number.MAX_SAFE_INTEGER
Number.EPSILON > 0
Number.MIN_VALUE
Number('  12  ')
Number('')
Number('0x10')
Number('1e3')
Number('-Infinity')
Number('12px')
Number('.5')
Number('5.')
Number('+.5e1')
Number('0b11')
Number('0o17')
Number('1_000')
Number('infinity')
Number(null)
Number(undefined)
Number(true)
Number([])
Number([5])
Number([1,2])
Number({})
Number('\n\t 42 \u00a0')
parseInt('08')
parseInt('0x1F')
parseInt('1e3')
parseInt('  -12abc')
parseInt('abc')
parseInt('ff', 16)
parseInt('z', 36)
parseInt('10', 2)
parseInt('10', 1)
parseInt('10', 37)
parseInt('')
parseInt('-0')
parseInt(0.0000005)
parseInt('123456789012345678901234567890')
parseFloat('3.14abc')
parseFloat('.5')
parseFloat('-.5e-3x')
parseFloat('Infinityx')
parseFloat('abc')
parseFloat('1e')
parseFloat('  +1.5')
isNaN('abc')
isNaN('12')
isFinite('12')
isFinite(Infinity)
Number.isInteger(5)
Number.isInteger(5.5)
Number.isInteger('5')
Number.isSafeInteger(2**53)
Number.isNaN('abc')
// -- arithmetic (11.5, 11.6)
1 + 2
'1' + 2
1 + '2'
1 + true
1 + null
1 + undefined
'a' + null
'a' + undefined
[] + []
[] + {}
({}) + []
[1,2] + [3]
'x' + [1,[2,3]]
true + true
null + null
5 - '2'
'5' - '2'
'a' - 1
'5' * '2'
'6' / '2'
1 / 0
-1 / 0
0 / 0
1 / -0
-0 + 0
-0 - 0
-0 * 1
0 * -1
5 % 3
-5 % 3
5 % -3
-5 % -3
5.5 % 2
-0 % 5
5 % 0
Infinity % 2
2 % Infinity
2 ** 10
2 ** -1
(-8) ** (1/3)
2 ** 0.5
NaN ** 0
1 ** Infinity
(-2) ** 3
0 ** -1
(-0) ** -1
(-0) ** -2
Infinity - Infinity
Infinity * 0
1e308 * 10
-1e308 * 10
0.1 * 3
9007199254740992 + 1
9007199254740992 + 2
// -- unary (11.4)
-'3'
+'3'
+''
+' '
+'abc'
+[]
+{}
+true
+null
+undefined
-null
-undefined
!0
!''
!'0'
!NaN
![]
!{}
!null
~0
~-1
~'5'
~3.7
~~-3.7
typeof 1
typeof 'a'
typeof true
typeof null
typeof undefined
typeof {}
typeof []
typeof function () {}
typeof (() => 1)
typeof Math
typeof JSON
typeof Array
typeof undeclaredVariable
typeof n1
typeof sa
void 0
void 'x'
// -- bitwise and shifts (11.7, 11.10)
5 & 3
5 | 3
5 ^ 3
-1 >>> 0
-1 >>> 28
1 << 31
1 << 32
1 << 33
-16 >> 2
-16 >>> 2
2147483648 | 0
4294967296 | 0
4294967295 | 0
1.9 | 0
-1.9 | 0
NaN | 0
Infinity | 0
'12' | 0
'0x10' | 0
1e21 | 0
3 & '1'
// -- equality (11.9)
1 == '1'
0 == ''
0 == '0'
'' == '0'
null == undefined
null == 0
undefined == 0
NaN == NaN
[] == false
[] == ''
[0] == false
[1] == true
[1,2] == '1,2'
({}) == '[object Object]'
true == 1
true == '1'
false == 'false'
null == false
'1' === 1
null === null
undefined === undefined
NaN === NaN
0 === -0
'a' === 'a'
[] === []
1 != '1'
1 !== '1'
// -- relational (11.8)
1 < 2
'10' < '9'
'10' < 9
'a' < 'b'
'B' < 'a'
'a' < 1
null < 1
undefined < 1
NaN < 1
NaN >= NaN
[2] > 1
'abc' < 'abd'
'' < 'a'
null >= 0
null > 0
undefined >= 0
1 <= '1'
[1,2] < [1,3]
// -- logical and conditional
0 || 'x'
1 || 'x'
'' && 'y'
'a' && 'y'
null || undefined
0 || null || 'z'
1 && 2 && 3
1 ? 'a' : 'b'
'' ? 'a' : 'b'
NaN ? 1 : 2
(1, 2)
n1 > 0 ? sa : s1
// -- in, instanceof, delete
'a' in {a: 1}
'b' in {a: 1}
'toString' in {}
0 in [5]
1 in [5]
'length' in []
[] instanceof Array
[] instanceof Object
({}) instanceof Array
(function(){}) instanceof Function
new Date(0) instanceof Date
/x/ instanceof RegExp
new TypeError('x') instanceof Error
new Error('x') instanceof TypeError
delete o1.a
delete [1,2][0]
// -- member access on primitives
'abc'.length
'abc'[1]
'abc'[5]
'abc'['length']
(5).constructor === Number
'x'.constructor === String
[].length
[1,2,3].length
[,1].length
[1,,3]
[1,2,,]
({a: 1}).a
({a: 1})['a']
({1: 'x'})[1]
({'1': 'x'})['1']
({a: 1}).b
({}).toString()
o1.b
a3[1]
a3['2']
a3[3]
a3[-1]
a3[1.5]
sabc[0]
sabc.length
// -- object and array literals
[1, 'a', null, undefined, true]
[[1, 2], [3, [4]]]
{a: 1, b: [1, 2], c: {d: null}}
{1: 'a', b: 2, 0: 'c'}
{b: 1, a: 2, 10: 3, 2: 4}
{'x y': 1}
{a: 1, a: 2}
[...[1, 2], 3]
[...'ab']
{...{a: 1}, b: 2}
// -- strings
'abc'.charAt(1)
'abc'.charAt(10)
'abc'.charCodeAt(0)
'abc'.charCodeAt(9)
'abcabc'.indexOf('c')
'abcabc'.indexOf('c', 3)
'abcabc'.lastIndexOf('c')
'abcabc'.lastIndexOf('c', 3)
'abc'.indexOf('')
'abcdef'.slice(1, 3)
'abcdef'.slice(-2)
'abcdef'.slice(2, -1)
'abcdef'.substring(4, 1)
'abcdef'.substring(-1, 2)
'abcdef'.substr(-3, 2)
'abcdef'.substr(1)
'AbC'.toUpperCase()
'AbC'.toLowerCase()
'  x  '.trim()
'  x  '.trimStart()
'  x  '.trimEnd()
'a,b,,c'.split(',')
'abc'.split('')
'abc'.split()
'a,b,c'.split(',', 2)
'a1b2c3'.split(/\d/)
'a1b2c3'.split(/(\d)/)
''.split(',')
''.split('')
'abc'.split(/(?:)/)
'a b  c'.split(' ')
'test'.split('t')
'abc'.concat(1, [2, 3])
'ab'.repeat(3)
'5'.padStart(3, '0')
'5'.padEnd(3, '*')
'abc'.padStart(6, '12')
'abc'.includes('b')
'abc'.startsWith('ab')
'abc'.endsWith('bc')
'abc'.startsWith('b', 1)
'aaa'.replace('a', 'b')
'aaa'.replace(/a/g, 'b')
'abc'.replace(/(b)/, '[$1]')
'abc'.replace(/b/, '$&$&')
'abc'.replace(/b/, "$`|$'")
'abc'.replace('b', '$$')
'abc'.replace(/x/, 'y')
'a-b-c'.replace(/-/g, function (m) { return '+'; })
'John Smith'.replace(/(\w+)\s(\w+)/, '$2, $1')
'aaa'.replace(/a*/g, '-')
'abc'.replace(/(?<first>a)/, '$<first>!')
'x'.replace(/x/, '$1')
'abc'.match(/b/)[0]
'abc'.match(/z/)
'a1b2'.match(/\d/g)
'abc'.search(/c/)
'abc'.search('z')
'Hello'.localeCompare('Hello')
'a'.localeCompare('b')
'b'.localeCompare('a')
String.fromCharCode(72, 105)
String.fromCharCode(0x2603)
'abc'.at(-1)
'\u00e9' === '\u00e9'
'tab\there'
'line\nbreak'.length
'\x41\u0042'
JSON.stringify('\u2028')
escape('a b+c')
unescape('%41%u0042')
encodeURIComponent('a b&c/d?e=é')
encodeURI('http://x.y/a b?q=é#f')
decodeURIComponent('%E2%82%AC%20')
decodeURI('%3Fa%20b')
decodeURIComponent('%')
// -- arrays
[3, 1, 2].sort()
[10, 9, 1].sort()
[10, 9, 1].sort(function (a, b) { return a - b; })
['b', undefined, 'a'].sort()
[3, 1, 2].reverse()
[1, 2, 3].join('-')
[1, [2, 3]].join(';')
[null, undefined, 1].join()
[1, 2, 3].indexOf(2)
[1, 2, 3].indexOf('2')
[NaN].indexOf(NaN)
[NaN].includes(NaN)
[1, 2, 3].lastIndexOf(3)
[1, 2, 3].slice(1)
[1, 2, 3].slice(-2, -1)
[1, 2, 3].concat(4, [5, [6]])
[1, 2, 3].map(function (x) { return x * 2; })
[1, 2, 3].filter(function (x) { return x % 2; })
[1, 2, 3].reduce(function (a, b) { return a + b; })
[1, 2, 3].reduce(function (a, b) { return a + b; }, 10)
[[1], [2]].reduceRight(function (a, b) { return a.concat(b); })
[].reduce(function (a, b) { return a + b; })
[1, 2, 3].some(function (x) { return x > 2; })
[1, 2, 3].every(function (x) { return x > 2; })
[1, 2, 3].find(function (x) { return x > 1; })
[1, 2, 3].findIndex(function (x) { return x > 5; })
[1, 2, 3].map(x => x + 1)
[1, 2, 3].map((x, i) => x * i)
Array.isArray([])
Array.isArray({})
Array(3).length
Array(3)
Array(1, 2)
new Array(2, 3)
Array.of(7)
Array.from('abc')
Array.from([1, 2], x => x * 2)
[1, 2, 3].fill(0, 1)
[1, [2, [3, [4]]]].flat()
[1, [2, [3, [4]]]].flat(Infinity)
[3, 2, 1].toString()
String([1, [2, 3]])
[1, 2, 3].push(4)
[1, 2, 3].pop()
[1, 2, 3].shift()
[1, 2, 3].unshift(0)
[1, 2, 3, 4].splice(1, 2)
[5, 1, 4].sort().concat([])
[1, 10, 2, 21].sort()
['B', 'a', 'C'].sort()
[undefined, 3, , 1].sort()
// -- Math
Math.max(1, 3, 2)
Math.max()
Math.min()
Math.max(1, NaN)
Math.max(-0, 0)
Math.min(0, -0)
Math.abs(-5)
Math.floor(-1.5)
Math.ceil(-1.5)
Math.ceil(-0.5)
Math.round(2.5)
Math.round(-2.5)
Math.round(-0.4)
Math.round(0.49999999999999994)
Math.trunc(-4.7)
Math.sign(-3)
Math.sign(-0)
Math.sqrt(16)
Math.sqrt(-1)
Math.pow(2, 10)
Math.pow(NaN, 0)
Math.cbrt(27)
Math.hypot(3, 4)
Math.log(Math.E)
Math.log(0)
Math.log(-1)
Math.exp(1)
Math.sin(0)
Math.cos(Math.PI)
Math.atan2(1, 1)
Math.PI
Math.floor('7.9')
Math.imul(3, 4)
Math.imul(0xffffffff, 5)
Math.clz32(1)
Math.log2(8)
Math.log10(1000)
Math.fround(5.5)
Math.fround(5.05)
typeof Math.random()
Math.random() < 1
// -- JSON
JSON.stringify({a: 1, b: [1, 'x', null, true]})
JSON.stringify([undefined, function () {}])
JSON.stringify({a: undefined, b: function () {}})
JSON.stringify('he said "hi"\n')
JSON.stringify(NaN)
JSON.stringify(-0)
JSON.stringify(1e21)
JSON.stringify(null)
JSON.stringify(undefined)
JSON.stringify({a: [1, {b: 2}]}, null, 2)
JSON.stringify([1, 2], null, '--')
JSON.stringify({a: 1, b: 2, c: 3}, ['a', 'c'])
JSON.stringify({a: 1, b: 2}, function (k, v) { return typeof v === 'number' ? v * 10 : v; })
JSON.stringify({toJSON: function () { return 'custom'; }})
JSON.stringify(new Date(0))
JSON.stringify({2: 'b', 1: 'a', x: 'c'})
JSON.stringify('\u0007')
JSON.stringify({}, null, 4)
JSON.stringify([], null, 4)
JSON.stringify([[]], null, 1)
JSON.parse('{"a": [1, 2.5, "x", null, true]}')
JSON.parse('"\\u0041"')
JSON.parse('1e3')
JSON.parse(' [1] ')
JSON.parse('{"a":1,"a":2}')
JSON.parse('{a: 1}')
JSON.parse("{'a': 1}")
JSON.parse('[1,]')
JSON.parse('NaN')
JSON.parse('')
JSON.parse('01')
JSON.parse('{"__proto__": 1}')
JSON.parse('[1, 2]', function (k, v) { return typeof v === 'number' ? v + 1 : v; })
JSON.parse('123456789012345678901234567890')
// -- RegExp
/a/.test('cat')
/^a/.test('cat')
/a$/m.test('a\nb')
/a$/.test('a\n')
/^b/m.test('a\nb')
/./.test('\n')
/./s.test('\n')
/\w+/.exec('hello world')[0]
/(\d+)-(\d+)/.exec('10-20').slice(1)
/(\d+)-(\d+)/.exec('x 10-20').index
/(a)|(b)/.exec('b')
/\bfoo\b/.test('a foo b')
/\bfoo\b/.test('afoob')
/[\s]/.test('\u00a0')
/\s/.test('\ufeff')
/\d/.test('\u0661')
/\w/.test('é')
/a{2}/.test('aa')
/a{,2}/.test('a{,2}')
/[^]/.test('\n')
/[]/.test('a')
/(a)\1/.test('aa')
/\1(a)/.test('a')
/(?:x)|\1y/.test('y')
/[a-c]+/i.exec('xBcAy')[0]
/(?=a)a/.test('a')
/(?<=\$)\d+/.exec('cost $42')[0]
/(?<y>\d{4})/.exec('in 2024').groups.y
new RegExp('a+', 'g').source
new RegExp('a+', 'g').global
/x/gi.flags
String(/a\/b/)
RegExp('[').test('x')
/a/.toString()
'aBc'.match(/b/i)[0]
'a.b.c'.split('.')
'a.b.c'.split(/\./)
/\u0041/.test('A')
/\x41/.test('A')
/\cJ/.test('\n')
/[\b]/.test('\b')
/\0/.test('\0')
/a|/.exec('b')[0]
/(a*)*/.exec('b')[0]
/(a*)+/.exec('b')[1]
/[\d-x]/.test('-')
// -- Object
Object.keys({b: 1, a: 2, 1: 3})
Object.values({a: 1, b: 'x'})
Object.entries({a: 1})
Object.assign({}, {a: 1}, {b: 2})
Object.keys([4, 5])
Object.keys('ab')
Object.prototype.toString.call([])
Object.prototype.toString.call(null)
Object.prototype.toString.call(undefined)
Object.prototype.toString.call(1)
Object.prototype.toString.call('')
Object.prototype.toString.call(new Date(0))
Object.prototype.toString.call(/x/)
Object.prototype.toString.call(function () {})
Object.prototype.toString.call(Math)
Object.prototype.toString.call(JSON)
({a: 1}).hasOwnProperty('a')
({a: 1}).hasOwnProperty('toString')
Object.getPrototypeOf([]) === Array.prototype
Object.getPrototypeOf(Object.create(null))
Object.create({x: 1}).x
Object.keys(Object.create({x: 1}))
Object.is(NaN, NaN)
Object.is(0, -0)
Object.fromEntries([['a', 1], ['b', 2]])
Object.getOwnPropertyNames([1])
Object({}) !== null
typeof Object(1)
String(new String('abc'))
new Number(5) + 1
new Boolean(false) ? 1 : 2
new String('ab').length
typeof new String('ab')
// -- functions
(function () { return this; })() === undefined
(function (a, b) { return arguments.length; })(1, 2, 3)
(function (a) { return arguments[0]; })(9)
(function () { return typeof arguments; })()
(function f(n) { return n <= 1 ? 1 : n * f(n - 1); })(5)
(function (a, b) { return a + b; }).length
(function foo() {}).name
(function () {}).name
((a, b = 2) => a + b)(1)
((...r) => r.length)(1, 2, 3)
(({a, b}) => a + b)({a: 1, b: 2})
(([a, , b]) => a + b)([1, 2, 3])
Math.max.apply(null, [1, 5, 2])
Math.max.call(null, 1, 5, 2)
(function () { return this.x; }).call({x: 7})
(function (a, b) { return this.x + a + b; }).bind({x: 1}, 2)(3)
(function () {}).bind().name
(x => x * 2)(4)
(() => ({a: 1}))().a
[1, 2, 3].map(String)
['1', '2', '3'].map(parseInt)
['a', 'b'].map(function (x) { return this.p + x; }, {p: '_'})
// -- template literals
`a${1}b${'c'}d`
`${1 + 1}`
`${[1, 2]}`
`${{}}`
`${null}-${undefined}`
`multi\nline`
// -- Date (UTC parts only: the local time zone differs between hosts)
new Date(0).getTime()
new Date(0).toISOString()
new Date(Date.UTC(2020, 1, 29)).toISOString()
Date.UTC(2000, 0, 1)
new Date('2020-01-02T03:04:05Z').getTime()
new Date('2020-01-02T03:04:05.678Z').getUTCMilliseconds()
new Date(86400000).getUTCDay()
new Date(1e15).getUTCFullYear()
new Date(NaN).getTime()
new Date(8.64e15 + 1).getTime()
typeof Date.now()
new Date(0).valueOf()
new Date(2020, 0, 1) - new Date(2019, 0, 1)
new Date(Date.UTC(2021, 11, 31, 23, 59, 59)).getUTCMonth()
Date.parse('2000-01-01T00:00:00.000Z')
Date.parse('nonsense')
new Date('2020-06-15').toISOString()
new Date(0).toJSON()
isNaN(new Date('x'))
new Date(2020, 13, 1).getMonth()
// -- errors
new Error('boom').message
new TypeError('t').name
String(new RangeError('r'))
new Error().message
Error('x').message
Object.prototype.toString.call(new Error('x'))
(function () { try { null.f(); } catch (e) { return e.name; } })()
(function () { try { undefinedFn(); } catch (e) { return e.name; } })()
(function () { try { (1)(); } catch (e) { return e.name; } })()
(function () { try { new 1; } catch (e) { return e.name; } })()
(function () { try { JSON.parse('{'); } catch (e) { return e.name; } })()
(function () { try { throw 5; } catch (e) { return e; } })()
(function () { try { [].reduce(function () {}); } catch (e) { return e.name; } })()
(function () { try { 'x'.repeat(-1); } catch (e) { return e.name; } })()
(function () { try { new Array(-1); } catch (e) { return e.name; } })()
(function () { try { decodeURIComponent('%E0%A4%A'); } catch (e) { return e.name; } })()
(function () { try { (1).toFixed(101); } catch (e) { return e.name; } })()
(function () { try { 'a' in 'abc'; } catch (e) { return e.name; } })()
(function () { try { ({}) instanceof 1; } catch (e) { return e.name; } })()
undefined.x
null[0]
nosuch
nosuch.prop
// -- with prelude variables (types hidden from the compiler)
n1 + n2
n1 + s1
s1 + n1
s12 * n2
n5 % n2
nm1 % n2
nneg0 + nneg0
n0 * nm1
nbig + s0
ninf - ninf
nnan == nnan
n1 == s1
n1 === s1
s12 > s1
s12 > n5
sa < sabc
ssp * 1
shex - 0
t + t
t + s1
nul + n1
und + n1
und + s1
a3 + ''
a0 + o0
o1.a + o1.b
o1.b.length
a3.length + a1.length
n1 < n2 && s1 < s12
n1 >= n2 || sa
!nul && !und
n5 | 0
nhalf * n2 === n1
typeof nul
typeof a3
typeof t
n2 ** n5
n5 / n0
nm1 / n0
n0 / n0
n5 - s1
s1 - n5
sabc - n1
// -- more strings and regexps
'aXbXc'.split('X', 0)
'aXbXc'.split('X', -1)
'a1b22c333'.split(/\d+/, 2)
'abc'.split(/(b)|(x)/)
'one  two'.split(/\s*/)
'A-B_C'.split(/[-_]/)
'xAyBz'.replace(/[A-Z]/g, '($&)')
'aaa'.replace(/a/gy, 'b')
'banana'.replace(/a(?=n)/g, 'A')
'banana'.replace(/(?<!b)a/g, 'A')
'price: 10 USD'.replace(/(\d+)/, '$1$1')
'abc'.replace(/b/, '$0')
'abc'.replace(/(b)/, '$01')
'abc'.replace(/(b)/, '$10')
'abc'.replace('b', function () { return arguments.length; })
'a.b.c'.replace('.', '|')
'a.b.c'.replaceAll('.', '|')
'aaa'.replaceAll(/a/g, 'b')
'x'.replace(/x/g, '$$')
/(\d{3})-(\d{4})/.exec('call 555-1234 now').index
/a/y.test('ba')
(function () { var r = /a/y; r.lastIndex = 1; return r.test('ba'); })()
(function () { var r = /o/g; r.lastIndex = 5; return r.exec('foo boo').index; })()
/^.$/u.test('\u00e9')
/\u{1F600}/u.test('\u{1F600}')
/[\u0041-\u0043]+/.exec('xABCDx')[0]
/\S+/.exec('  word  ')[0]
/\W+/.exec('ab, cd')[0]
/\D+/.exec('12ab34')[0]
/[^\d\s]+/.exec('12 ab 34')[0]
/[\W\d]+/.exec('ab1!2cd')[0]
/(a)?b/.exec('b')[1]
/(?:a|b)+/.exec('xabbay')[0]
/a*?b/.exec('aaab')[0]
/a{2,}/.exec('aaaa')[0]
/a{1,2}?/.exec('aaaa')[0]
/^(?:\+|-)?\d+(?:\.\d+)?$/.test('-12.5')
/[.*+?^${}()|[\]\\]/g.test('a.b')
'a.b*c'.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/x/i.ignoreCase
/x/m.multiline
/x/.global
/x/g.lastIndex
new RegExp('/').source
String(new RegExp('a/b'))
RegExp('\\d+').test('42')
new RegExp(/ab/g).flags
new RegExp(/ab/g, 'i').flags
/(?<year>\d{4})-(?<month>\d{2})/.exec('2024-05').groups.month
'2024-05'.replace(/(?<y>\d{4})-(?<m>\d{2})/, '$<m>/$<y>')
'aBc'.search(/[A-Z]/)
'abc'.match(/(?:)/g)
'abc'.match(/b|/g)
'test'.match(/t/g).length
'   '.trim().length
'\u00a0x\u2028'.trim()
'abc'.codePointAt(1)
'\u00e9'.normalize('NFD').length
'ß'.toUpperCase()
'İ'.toLowerCase().length
'abc'.localeCompare('abd')
'a'.localeCompare('a')
String.fromCharCode(0xD83D, 0xDE00) === '\u{1F600}'
'abc'.substring(NaN, 2)
'abc'.substr(1, -1)
'abc'.slice(2, 1)
'abc'.charAt(-1)
'abc'.indexOf('c', -5)
'abc'.lastIndexOf('a', -5)
'abc'.lastIndexOf('')
'a,b'.split(',').length
'abc'.concat()
'x'.padStart(5)
'abc'.padEnd(2, 'x')
'abc'.repeat(0)
'ab'.at(5)
'€'.charCodeAt(0)
encodeURIComponent('\u{1F600}')
decodeURIComponent('%F0%9F%98%80') === '\u{1F600}'
encodeURIComponent('\uD800')
// -- more numbers
(0.1).toFixed(20)
(1e-7).toFixed(10)
(123.456).toFixed()
(-1.005).toFixed(2)
(1.45).toPrecision(2)
(0.000001).toPrecision(1)
(1e-7).toPrecision(1)
(1.5e300).toPrecision(3)
(9.995).toPrecision(3)
(255).toString(16).toUpperCase()
(0.1).toString(2)
(-0.5).toString(4)
(1e300).toString(36)
(Math.PI).toString(7)
(5e-324).toString(2).length
(2**31).toString(32)
(NaN).toString(2)
(-Infinity).toString(16)
(12.375).toString(8)
(1/3).toString(3)
Number.parseFloat('1.5e3')
Number.parseInt('  42px')
parseInt('0x')
parseInt('0b11')
parseInt('-0x1A')
parseInt('1e21')
parseInt(1e21)
parseInt(null, 36)
parseFloat('1e1000')
parseFloat('-0')
parseFloat('0x10')
Number('Infinityx')
Number('- 1')
Number('1.')
Number('.')
Number('e5')
Number('0x')
Number('00123')
Number('-0x10')
1e21 + ''
1e-7 + ''
-1e-7 + ''
0.000001 + ''
123e18 + ''
0.1 * 0.2
9.95 * 100
1.005 * 1000
2 ** 53 + 1
-(2 ** 31) | 0
(2 ** 32 + 5) >>> 0
(-2 ** 32) >> 0
5 >>> -1
1 << -1
~~2147483648
~~-2147483649
(0.5).toFixed(0)
(1.5).toFixed(0)
(2.5).toFixed(0)
(-2.5).toFixed(0)
Math.round(0.5)
Math.round(1.5)
Math.round(-1.5)
Math.round(2**53)
Math.max('3', 2)
Math.min([1], [2])
Math.abs('-5')
Math.abs(null)
Math.abs([])
Math.abs({})
Math.floor(-0)
Math.ceil(0.2)
Math.sign('-2')
Math.atan2(0, -0)
Math.atan2(-0, 0)
Math.sqrt(-0)
Math.exp(-Infinity)
Math.pow(-Infinity, 3)
Math.pow(-Infinity, 2)
Math.pow(-0, 3)
Math.pow(0.5, -Infinity)
Math.hypot(NaN, Infinity)
Math.hypot()
// -- more arrays and objects
[1, 2, 3].indexOf(3, -1)
[1, 2, 3].lastIndexOf(1, -3)
[1, 2, 3].includes(2, 2)
[1, 2, 3].slice(-10, 10)
[1, 2, 3].splice(-1)
[1, 2, 3].join(undefined)
[1, 2, 3].join(null)
[[]].join()
[null].toString()
[undefined, null].join('-')
Array(3).join('x')
[1, 2, 3].reverse().concat([0])
[5, 1, 10].sort(function (a, b) { return b - a; })
['10', '9', '1'].sort(function (a, b) { return a - b; })
[3, 2, 1].sort(function () { return 0; })
[1, 2, 3].map(function (x, i, arr) { return arr.length; })
[1, 2, 3].filter(Boolean)
[0, 1, '', 'a', null].filter(Boolean)
['a', 'b'].entries === undefined
[1, 2, 3].reduce(function (a, b) { return a * b; }, 1)
[1, [2], [[3]]].toString()
Array.from({length: 3})
Array.from({length: 2, 0: 'a', 1: 'b'})
Array.apply(null, Array(2))
[].concat(1, [2], [[3]])
[1, 2].concat()
Object.keys({length: 2})
Object.values([1, 2])
Object.entries('ab')
Object.assign([1, 2], [3])
Object.assign({}, 'ab')
Object.assign({}, null, {a: 1})
JSON.stringify(Object.create({inherited: 1}))
JSON.stringify([new Date(0)])
JSON.stringify({a: [], b: {}}, null, '\t')
JSON.stringify({a: 1}, null, 20)
JSON.stringify({a: 1}, null, 'abcdefghijklmnop')
JSON.stringify({a: 1, b: 2}, ['b', 'a', 'b'])
JSON.stringify({a: {b: 1}}, function (k, v) { return k === 'b' ? undefined : v; })
JSON.stringify([1, 2], function (k, v) { return Array.isArray(v) ? v : v * 2; })
JSON.stringify(new String('s'))
JSON.stringify(new Number(3))
JSON.stringify(new Boolean(false))
JSON.stringify({key: 'val'}, function (k, v) { return k === '' ? [k, typeof v] : v; })
JSON.stringify('\ud800')
JSON.parse('[1, 2, 3]', function (k, v) { return k === '1' ? undefined : v; })
JSON.parse('{"a": {"b": 1}}', function (k, v) { return k === 'b' ? v * 10 : v; })
JSON.parse('"\\ud83d\\ude00"') === '\u{1F600}'
JSON.parse('-0')
JSON.parse('1E+2')
JSON.parse('true ')
JSON.parse('[1 2]')
JSON.parse('"\t"')
JSON.parse('{"a":1}}')
// -- coercion corner cases
[] + null
[null] + ''
[undefined] == ''
[[]] == 0
[0] == 0
'\n' == 0
'0x10' == 16
'1e3' == 1000
null + ''
undefined + ''
true + '1'
({}) == '[object Object]'
({valueOf: function () { return 1; }}) == 1
({toString: function () { return 'x'; }}) + 'y'
({valueOf: function () { return 2; }, toString: function () { return '3'; }}) + ''
`${{valueOf: function () { return 2; }, toString: function () { return '3'; }}}`
String({valueOf: function () { return 2; }, toString: function () { return '3'; }})
new Date(0) + 0 === new Date(0).toString() + '0'
new Date(5) - 0
+new Date(7)
[1] * [2]
'3' ** '2'
null ** 0
'b' + 'a' + +'a' + 'a'
1 < 2 < 3
3 > 2 > 1
'2' > '12'
2 > '12'
'abc' < 'abcd'
'Z' < 'a'
'\u00e9' > 'z'
null == ''
undefined == ''
NaN != NaN
Infinity === Infinity
-Infinity < -1e308
// -- errors thrown by the engine
(function () { try { null.x; } catch (e) { return [Object.keys(e), JSON.stringify(e), e instanceof TypeError, typeof e.message]; } })()
(function () { try { undefinedName; } catch (e) { return [e.name, e.constructor === ReferenceError, String(e).indexOf('undefinedName') >= 0]; } })()
(function () { try { [].reduce(function () {}); } catch (e) { return Object.prototype.toString.call(e); } })()
(function () { var e = new Error('m'); e.extra = 1; return [Object.keys(e), e.hasOwnProperty('message')]; })()
(1234567.891).toLocaleString()
(-0.0005).toLocaleString()
(1e21).toLocaleString()
(0.1 + 0.2).toLocaleString()
(2.0005).toLocaleString()
'abc'.padStart(Infinity)
[1, 2, 3].lastIndexOf(3, -Infinity)
new Date(Infinity, 0).getTime()
Date.UTC(Infinity)
(-0.0004).toLocaleString()
(-0).toLocaleString()
(123).toLocaleString()
// -- inline fast paths: numeric computed index, .length of strings and arrays, number to string
[10, 20, 30][1 + 1]
[10, 20, 30][3 - 4]
[10, 20, 30][0.5 + 0.5]
[10, 20, 30][0.5 + 1]
[10, 20, 30][-0 * 1]
[10, 20, 30][0 / 0]
[10, 20, 30][1 / 0]
[10, , 30][2 - 1]
[10, 20, 30][3 * 1]
(function () { var a = []; a[2000] = 'x'; return a[1000 * 2]; })()
(function () { var a = [1, 2, 3]; a.foo = 'f'; return a[a.length - 1]; })()
'abc'[1 + 1]
'abc'[5 - 1]
({1: 'one'})[2 - 1]
(function () { var o = {length: 'L'}; return o.length; })()
(function () { var f = function (a, b) {}; return f.length; })()
(function () { var a = [1, , 3]; return a.length + 'x'.length; })()
'n' + [1, 2][0] + ':' + [1.5][0] + [-0][0] + [1e21][0] + [NaN][0] + [-3][0] + [4096][0]
'v' + [true][0] + [null][0] + [undefined][0] + [{}][0] + [[1, 2]][0]
'x' + (function () { return {toString: function () { return 'T'; }}; })()
// -- conditions read through properties (speculative fast paths in test position)
!!(o1 && o1.a === 1 && o1.b == 'two')
!!(box.nul || box.und || box.s0 || box.nnan || box.nneg0) ? 'y' : 'n'
!!(box.a0 && box.o0 && !box.f && row[19] > 6)
// -- a[a.length - k] (the fast path reads a[-k])
row[row.length - 1]
row[row.length - 2]
row[row.length - 20]
row[row.length - 21]
a3[a3.length - 3] + a3[a3.length - 1]
a0[a0.length - 1]
sabc[sabc.length - 1]
o1[o1.length - 1]
(function () { var a = [1, 2, 3]; a.length = 5; return [a[a.length - 1], a[a.length - 4]]; })()
// -- eval and Function: literals read by the runtime, other code compiled when run (global scope)
eval('(' + '{"a": [1, {b: 2}], c: "x",}' + ')')
eval("[1, 'two', null, true, 3,]")
eval("[1, , 3]")
eval('1 + 2 * 3')
eval('{}')
eval(5)
eval({x: 1})
eval('"str"')
eval("'it\\'s'")
eval('0x1F')
eval('-1.5e3')
eval(' ( [ ] ) ')
eval('undefined')
eval('NaN')
eval('Infinity')
eval('-Infinity')
eval('1; 2; 3')
eval('var evalVar = 5; evalVar * 2')
eval('')
typeof eval('(function () { return 1; })')
eval('(function () { return 1; })')()
eval('a b c')
eval('({a: 1}).a')
eval('[1, 2]["length"]')
(new Function('a', 'b', 'return a * b'))(6, 7)
Function('return 7')()
Function('a', 'return a + n2')(40)
typeof Function('return this')()
new Function()()
({ def\u0061ult: 1 }).default
({ def\u0061ult: 1 }).def\u0061ult
({ 'default': 2 }).d\u0065fault
({ tr\u0075e: 1, \u0074his: 2 }).this
box.\u0074his
(function () { 'use strict'; return typeof this; })()
(function () { 'use strict'; return this; })()
(function () { return typeof this; })()
// -- functions that refer to themselves (a statement body in an expression: a hoisted factory)
(function fact(n) { for (;;) { return n <= 1 ? 1 : n * fact(n - 1); } })(5)
(function (n) { return n <= 1 ? 1 : n * arguments.callee(n - 1); })(5)
(function (n) { for (;;) { return n <= 1 ? 1 : n * arguments.callee(n - 1); } })(5)
(function f() { while (true) { return arguments.callee === f; } })()
(function () { return Object.keys(arguments).join() + JSON.stringify(arguments); })(1, 2)
(function () { var x = 1; var g = function () { for (;;) { return x; } }; x = 2; return g(); })()
(function (a) { var g = function () { while (true) { return a; } }; a = 'late'; return g(); })('early')
