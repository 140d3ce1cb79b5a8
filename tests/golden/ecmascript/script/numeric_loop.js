var acc = 0;
for (var i = 0; i < 1000; i++) { acc = acc + i * 2; }
