(count++, total += count, obj.n *= 2, a.b.c = 5)
