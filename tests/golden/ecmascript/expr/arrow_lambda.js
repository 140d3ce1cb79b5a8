items.filter(x => x.ok).map((x, i) => x.v * i)
