'n' + x.n + ':' + x.s
