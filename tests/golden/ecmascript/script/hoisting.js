var x = f(1); function f(n) { return n + y; } var y = 2;
