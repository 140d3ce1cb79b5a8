(function (str, starts) { if (starts === '') return true; var s = String(str); return s.slice(0, starts.length) === starts; })(Var1, Var2)
