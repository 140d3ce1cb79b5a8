var out = [];
outer: for (var i = 0; i < 3; i++) {
  for (var j = 0; j < 3; j++) {
    if (j == 1) continue outer;
    if (i == 2) break outer;
    out.push(i + ":" + j);
  }
}
do { i--; } while (i > 0);
